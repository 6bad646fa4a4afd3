r"""Triplet margin losses, PyTorch's two. Chapter: ``book/representation/triplet.ipynb``.

An anchor :math:`a`, a positive :math:`p` (same class) and a negative :math:`n` (another
class) pay the hinge :math:`\max(0, m + d(a, p) - d(a, n))`: the negative must be farther from
the anchor than the positive by the margin :math:`m`. The distance is that of
:func:`torch.nn.functional.pairwise_distance`, with its :math:`\epsilon` inside the norm
(``lossbook/losses/representation/_distance.py``, shared with ``contrastive_loss``). At the
hinge's kink (:math:`m + d^+ - d^- = 0` exactly) the triplet counts as active, and where the
swap's minimum ties the two distances share the gradient equally: PyTorch's conventions
(``clamp_min`` and ``minimum``), so that the gradients equal PyTorch's everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_number,
    check_reduction,
    check_same_device,
    check_tensor,
    shape_str,
)
from lossbook.losses.representation._distance import check_norm_degree, pairwise_distance, pairwise_distance_backward


def _check_triplet(fn: str, anchor, positive, negative) -> None:
    """Three floating tensors of one shape ``(*, D)`` with at least one dimension, on one device."""
    for name, value in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        check_tensor(fn, name, value)
    if anchor.dim() == 0:
        raise ValueError(f"{fn}: anchor must have at least one dimension (the embedding's, last), got a scalar")
    for name, value in (("positive", positive), ("negative", negative)):
        if value.shape != anchor.shape:
            raise ValueError(
                f"{fn}: {name} shape {shape_str(value)} does not match anchor shape {shape_str(anchor)} "
                "(anchor, positive and negative must have the same shape; nothing is broadcast)"
            )
        check_same_device(fn, name, value, anchor)


def _check_margin(fn: str, margin) -> None:
    check_number(fn, "margin", margin, low=0.0, low_open=True)  # PyTorch's rule: margin > 0


def _swap_share(d_neg: torch.Tensor, d_swap: torch.Tensor) -> torch.Tensor:
    """The weight of :math:`d(p, n)` in :math:`\\min(d(a, n), d(p, n))`'s gradient: 1 where it is smaller, 1/2 at a tie, else 0."""
    return torch.where(d_swap < d_neg, 1.0, torch.where(d_swap == d_neg, 0.5, 0.0)).to(d_neg.dtype)


def _hinge(d_pos: torch.Tensor, d_neg: torch.Tensor, d_swap: torch.Tensor | None, margin: float):
    """``(loss, active, share)``: :math:`\\max(0, m + d^+ - d^-)` with :math:`d^-` the (swapped) negative distance."""
    share = None
    if d_swap is not None:
        share = _swap_share(d_neg, d_swap)
        d_neg = torch.minimum(d_neg, d_swap)
    z = (d_pos - d_neg).add_(margin)
    active = z >= 0  # clamp_min's convention: the kink counts as active
    return z.clamp_min_(0.0), active, share


class _TripletMargin(torch.autograd.Function):
    r"""The triplet margin loss on the :math:`\epsilon`-shifted :math:`L_p` distance, reduced inside, with the chapter's gradient.

    With :math:`h = [m + d(a, p) - d^- \ge 0]` times the reduction's scale, :math:`s` the share
    of :math:`d(p, n)` in the swap's minimum (0 without ``swap``) and
    :math:`g(x, y) = \partial d(x, y) / \partial x`:
    :math:`\nabla_a = h\,g(a, p) - h (1 - s)\, g(a, n)`,
    :math:`\nabla_p = -h\,g(a, p) - h s\, g(p, n)`,
    :math:`\nabla_n = h (1 - s)\, g(a, n) + h s\, g(p, n)`. The forward keeps the shifted
    differences :math:`u = x - y + \epsilon` and the distances, as PyTorch's autograd does;
    under ``create_graph=True`` the backward recomputes them from the inputs with
    differentiable operations, so that second derivatives are the true ones.
    """

    @staticmethod
    def forward(ctx, anchor, positive, negative, margin, p, eps, swap, reduction):
        d_pos, u_pos = pairwise_distance(anchor, positive, p, eps)
        d_neg, u_neg = pairwise_distance(anchor, negative, p, eps)
        d_swap, u_swap = pairwise_distance(positive, negative, p, eps) if swap else (None, None)
        loss, active, share = _hinge(d_pos, d_neg, d_swap, margin)
        ctx.save_for_backward(anchor, positive, negative, u_pos, u_neg, u_swap, d_pos, d_neg, d_swap, active, share)
        ctx.p, ctx.eps, ctx.reduction, ctx.shape = p, eps, reduction, loss.shape
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        anchor, positive, negative, u_pos, u_neg, u_swap, d_pos, d_neg, d_swap, active, share = ctx.saved_tensors
        p, eps = ctx.p, ctx.eps
        graph = torch.is_grad_enabled()  # create_graph=True: differentiable recomputation, true second derivatives
        if graph:
            d_pos, u_pos = pairwise_distance(anchor, positive, p, eps)
            d_neg, u_neg = pairwise_distance(anchor, negative, p, eps)
            if share is not None:
                d_swap, u_swap = pairwise_distance(positive, negative, p, eps)
        h = grad_scale(grad_output, ctx.reduction, ctx.shape) * active
        g_pos = pairwise_distance_backward(u_pos, d_pos, h, p)  # h g(a, p)
        g_neg = pairwise_distance_backward(u_neg, d_neg, h if share is None else h * (1 - share), p)
        want_a, want_p, want_n = ctx.needs_input_grad[:3]
        grad_a = g_pos - g_neg if want_a else None
        grad_p = -g_pos if graph else g_pos.neg_()
        grad_n = g_neg
        if share is not None:
            g_swap = pairwise_distance_backward(u_swap, d_swap, h * share, p)  # h s g(p, n)
            grad_p, grad_n = grad_p - g_swap, grad_n + g_swap
        return grad_a, grad_p if want_p else None, grad_n if want_n else None, None, None, None, None, None


class _TripletHinge(torch.autograd.Function):
    r""":math:`\max(0, m + d^+ - \min(d^-, d^s))` of given distances, reduced inside, with its (sub)gradient.

    :math:`\partial \ell / \partial d^+ = h`, :math:`\partial \ell / \partial d^- = -h (1 - s)`,
    :math:`\partial \ell / \partial d^s = -h s`, with :math:`h` the active mask times the
    reduction's scale and :math:`s` the share of :math:`d^s` in the minimum. The backward is
    the mask times the upstream gradient, so autograd can differentiate it again (the hinge is
    piecewise linear: its second derivative is 0 away from the kink).
    """

    @staticmethod
    def forward(ctx, d_pos, d_neg, d_swap, margin, reduction):
        loss, active, share = _hinge(d_pos, d_neg, d_swap, margin)
        ctx.save_for_backward(active, share)
        ctx.reduction, ctx.shape = reduction, loss.shape
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        active, share = ctx.saved_tensors
        h = grad_scale(grad_output, ctx.reduction, ctx.shape) * active
        if share is None:
            return h, -h, None, None, None
        return h, (share - 1) * h, -share * h, None, None


def triplet_margin_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Triplet margin loss (Balntas et al., 2016); :func:`torch.nn.functional.triplet_margin_loss`'s arguments and values.

    .. math::

        d(x, y) = \lVert x - y + \epsilon \rVert_p, \qquad
        d^- = d(a, n) \ \text{or, with swap,}\ \min\big(d(a, n), d(p, n)\big), \\
        \ell = \max\big(0,\ m + d(a, p) - d^-\big), \qquad h = [m + d(a, p) - d^- \ge 0], \\
        g(x, y) = \frac{\partial d(x, y)}{\partial x} = \frac{\operatorname{sign}(u)\,|u|^{p - 1}}{d(x, y)^{p - 1}},
        \quad u = x - y + \epsilon \quad (= u / d \text{ for } p = 2), \\
        \frac{\partial \ell}{\partial a} = h\,\big(g(a, p) - g(a, n)\big), \qquad
        \frac{\partial \ell}{\partial p} = -h\, g(a, p), \qquad
        \frac{\partial \ell}{\partial n} = h\, g(a, n)

    (without swap, or where :math:`d(a, n) \le d(p, n)`). Where the swap picks
    :math:`d(p, n) < d(a, n)`, the negative term moves from the anchor to the positive:
    :math:`\partial \ell / \partial a = h\, g(a, p)`,
    :math:`\partial \ell / \partial p = -h\,(g(a, p) + g(p, n))`,
    :math:`\partial \ell / \partial n = h\, g(p, n)`. An inactive triplet
    (:math:`d^- > m + d(a, p)`) gives no gradient at all. The distances run over the last
    dimension; :math:`\epsilon` is added to every component of the difference, so equal
    vectors are at distance :math:`\epsilon D^{1/p}` with a finite gradient (PyTorch's
    convention, kept). For :math:`p = \infty` the gradient is shared among the components at
    the maximum; for :math:`p = 1` it is :math:`\operatorname{sign}(u)`.

    Differences from peers: lossbook raises where PyTorch broadcasts inputs of different shapes
    (of one number of dimensions) or accepts :math:`p \le 0`, :math:`\epsilon < 0`, scalar
    (0-dimensional) inputs, integer inputs or a tensor ``margin`` (both require ``margin > 0``).
    pytorch-metric-learning's ``TripletMarginLoss`` defaults to ``margin=0.05`` on
    L2-normalised embeddings, builds every triplet of a labelled batch itself and averages over the active ones only; optax's ``triplet_margin_loss`` puts
    :math:`\epsilon` inside the power, :math:`(\sum_k |x_k - y_k|^p + \epsilon)^{1/p}`, and does not
    reduce. FaceNet (Schroff et al., 2015) uses squared Euclidean distances. Mining (which
    triplets to form) is not part of the loss: see the chapter.

    Args:
        anchor: anchors :math:`a`, shape :math:`(*, D)`.
        positive: positives :math:`p`, the anchor's shape.
        negative: negatives :math:`n`, the anchor's shape.
        margin: the margin :math:`m > 0`.
        p: the degree of the norm, in :math:`(0, \infty]` (``math.inf`` for the largest component).
        eps: :math:`\epsilon \ge 0`, added to each component of the difference inside the norm.
        swap: use :math:`\min(d(a, n), d(p, n))` as the negative distance (Balntas et al.'s swap).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - anchor, positive, negative: :math:`(*, D)`, all three the same, e.g. :math:`(N, D)` or :math:`(D)`.
        - output: a scalar, or :math:`(*)` (one loss per triplet) when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``anchor`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: an input is not a floating-point tensor, or ``margin``, ``p``, ``eps`` or
            ``swap`` has the wrong type.
        ValueError: shapes differ, the inputs are scalars, ``margin <= 0``, ``p <= 0``,
            ``eps < 0``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import triplet_margin_loss
        >>> a = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
        >>> pos = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
        >>> neg = torch.tensor([[0.0, 1.5], [4.0, 5.0]])
        >>> triplet_margin_loss(a, pos, neg, reduction="none")  # 1 + 1 - 1.5 and 1 + 0 - 5 (clipped to 0)
        tensor([0.5000, 0.0000])
        >>> triplet_margin_loss(a, pos, neg, p=1.0, margin=0.5)
        tensor(0.)

    References:
        Balntas, Riba, Ponsa and Mikolajczyk, *Learning local feature descriptors with triplets
        and shallow convolutional neural networks*, BMVC 2016. Schroff, Kalenichenko and
        Philbin, *FaceNet: A Unified Embedding for Face Recognition and Clustering*, CVPR 2015.

    Chapter: ``book/representation/triplet.ipynb``.
    """
    fn = "triplet_margin_loss"
    _check_triplet(fn, anchor, positive, negative)
    check_reduction(fn, reduction)
    _check_margin(fn, margin)
    p = check_norm_degree(fn, p)
    check_number(fn, "eps", eps, low=0.0)
    check_bool(fn, "swap", swap)
    return _apply(anchor, positive, negative, float(margin), p, float(eps), swap, reduction)


def _apply(anchor, positive, negative, margin: float, p: float, eps: float, swap: bool, reduction: str) -> torch.Tensor:
    """:class:`_TripletMargin` on checked arguments, half precision computed in float32."""
    a, pos, neg = upcast(anchor, positive, negative)
    out = _TripletMargin.apply(a, pos, neg, margin, p, eps, swap, reduction)
    return out if out.dtype == anchor.dtype else out.to(anchor.dtype)


class TripletMarginLoss(_Loss):
    """Module form of :func:`triplet_margin_loss`; the options of :class:`torch.nn.TripletMarginLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import TripletMarginLoss
        >>> a, pos, neg = torch.tensor([[0.0, 0.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 1.5]])
        >>> TripletMarginLoss(margin=2.0)(a, pos, neg)
        tensor(1.5000)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, reduction: str = "mean") -> None:
        name = "TripletMarginLoss"
        _check_margin(name, margin)
        check_norm_degree(name, p)
        check_number(name, "eps", eps, low=0.0)
        check_bool(name, "swap", swap)
        super().__init__(reduction, margin=margin, p=p, eps=eps, swap=swap)

    def forward(self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
        return triplet_margin_loss(
            anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps, swap=self.swap, reduction=self.reduction
        )


def _distances(fn: str, distance_function, a, pos, neg, swap: bool):
    """The user's distances :math:`d(a, p)`, :math:`d(a, n)` (and :math:`d(p, n)`), checked: floating tensors, one entry per triplet."""
    calls = [("d(anchor, positive)", a, pos), ("d(anchor, negative)", a, neg)] + ([("d(positive, negative)", pos, neg)] if swap else [])
    out, expected = [], a.shape[:-1]
    for what, x, y in calls:
        d = distance_function(x, y)
        if not isinstance(d, torch.Tensor) or not d.is_floating_point():
            raise TypeError(f"{fn}: distance_function must return a floating-point tensor, got {type(d).__name__} for {what}")
        if d.shape != expected:
            raise ValueError(
                f"{fn}: the distances of distance_function must have one entry per triplet, shape {tuple(expected)} "
                f"(the anchor's shape without its last dimension), got shape {shape_str(d)} for {what}"
            )
        out.append(d)
    return out + [None] * (3 - len(out))


def triplet_margin_with_distance_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    distance_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Triplet margin loss with any distance; :func:`torch.nn.functional.triplet_margin_with_distance_loss`'s arguments and values.

    .. math::

        \ell = \max\big(0,\ m + d(a, p) - d^-\big), \qquad
        d^- = d(a, n) \ \text{or, with swap,}\ \min\big(d(a, n), d(p, n)\big), \\
        \frac{\partial \ell}{\partial d(a, p)} = h, \qquad
        \frac{\partial \ell}{\partial d^-} = -h, \qquad h = [m + d(a, p) - d^- \ge 0]

    and the chain rule through :math:`d` gives the gradients of the three inputs. What is
    hand-written depends on the distance:

    - ``distance_function=None`` (PyTorch's default, ``pairwise_distance`` with :math:`p = 2`,
      :math:`\epsilon = 10^{-6}`) or an :class:`torch.nn.PairwiseDistance` module (with
      ``keepdim=False``): the loss is :func:`triplet_margin_loss` with that module's ``norm``
      and ``eps``, whose backward is derived in full, hinge and distance.
    - any other callable: the distances are computed by it, and autograd differentiates them;
      the hand-written backward covers the hinge (and the swap's minimum) only, passing
      :math:`h` to :math:`d(a, p)` and :math:`-h` to :math:`d^-` (shared equally at a tie of
      the minimum, as ``torch.minimum`` does). The function must return one distance per
      triplet, a tensor of the anchor's shape without its last dimension (PyTorch accepts any
      shape that broadcasts, a ``keepdim`` distance's ``(N, 1)`` included); the distances
      should be non-negative, which is not checked (PyTorch does not either).

    PyTorch broadcasts inputs of different shapes (only their numbers of dimensions must
    agree); lossbook requires one shape. lossbook also raises where PyTorch accepts scalar
    (0-dimensional) inputs, a ``swap`` that is not a bool (``swap=1``), or an
    :class:`torch.nn.PairwiseDistance` with ``norm <= 0`` or ``eps < 0``. Float16/bfloat16 inputs are computed in float32, the
    distance function included.

    Args:
        anchor: anchors :math:`a`, shape :math:`(*, D)`.
        positive: positives :math:`p`, the anchor's shape.
        negative: negatives :math:`n`, the anchor's shape.
        distance_function: ``distance_function(x, y)`` returning a distance for each row, e.g.
            ``lambda x, y: 1 - torch.nn.functional.cosine_similarity(x, y)``; ``None`` is the
            Euclidean :func:`torch.nn.functional.pairwise_distance`.
        margin: the margin :math:`m > 0`.
        swap: use :math:`\min(d(a, n), d(p, n))` as the negative distance.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - anchor, positive, negative: :math:`(*, D)`, all three the same.
        - output: a scalar, or :math:`(*)` (one loss per triplet) when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``anchor`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: an input is not a floating-point tensor, ``distance_function`` is not callable
            or returns something other than a floating-point tensor, or ``margin`` or ``swap``
            has the wrong type.
        ValueError: shapes differ, the inputs are scalars, a distance is not of shape
            :math:`(*)`, ``margin <= 0``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from lossbook.losses import triplet_margin_with_distance_loss
        >>> a = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> pos = torch.tensor([[2.0, 0.0], [1.0, 0.0]])
        >>> neg = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
        >>> cosine = lambda x, y: 1 - F.cosine_similarity(x, y)
        >>> triplet_margin_with_distance_loss(a, pos, neg, distance_function=cosine, margin=0.5, reduction="none")
        tensor([0.0000, 0.7929])
        >>> triplet_margin_with_distance_loss(a, pos, neg)  # the Euclidean default
        tensor(1.2929)

    References:
        Balntas, Riba, Ponsa and Mikolajczyk, *Learning local feature descriptors with triplets
        and shallow convolutional neural networks*, BMVC 2016.

    Chapter: ``book/representation/triplet.ipynb``.
    """
    fn = "triplet_margin_with_distance_loss"
    _check_triplet(fn, anchor, positive, negative)
    check_reduction(fn, reduction)
    _check_margin(fn, margin)
    check_bool(fn, "swap", swap)
    if distance_function is None:  # torch.pairwise_distance: p = 2, eps = 1e-6
        return _apply(anchor, positive, negative, float(margin), 2.0, 1e-6, swap, reduction)
    if type(distance_function) is nn.PairwiseDistance and not distance_function.keepdim:
        p = check_norm_degree(fn, distance_function.norm)
        check_number(fn, "distance_function.eps", distance_function.eps, low=0.0)
        return _apply(anchor, positive, negative, float(margin), p, float(distance_function.eps), swap, reduction)
    if not callable(distance_function):
        raise TypeError(f"{fn}: distance_function must be callable or None, got {type(distance_function).__name__}")
    a, pos, neg = upcast(anchor, positive, negative)
    d_pos, d_neg, d_swap = _distances(fn, distance_function, a, pos, neg, swap)
    out = _TripletHinge.apply(d_pos, d_neg, d_swap, float(margin), reduction)
    return out if out.dtype == anchor.dtype else out.to(anchor.dtype)


class TripletMarginWithDistanceLoss(_Loss):
    """Module form of :func:`triplet_margin_with_distance_loss`; the options of :class:`torch.nn.TripletMarginWithDistanceLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import TripletMarginWithDistanceLoss
        >>> a, pos, neg = torch.tensor([[0.0, 0.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 1.5]])
        >>> TripletMarginWithDistanceLoss(distance_function=lambda x, y: (x - y).abs().sum(-1))(a, pos, neg)
        tensor(0.5000)
    """

    def __init__(
        self,
        *,
        distance_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        name = "TripletMarginWithDistanceLoss"
        if distance_function is not None and not callable(distance_function):
            raise TypeError(f"{name}: distance_function must be callable or None, got {type(distance_function).__name__}")
        _check_margin(name, margin)
        check_bool(name, "swap", swap)
        super().__init__(reduction, distance_function=distance_function, margin=margin, swap=swap)

    def forward(self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function, margin=self.margin, swap=self.swap, reduction=self.reduction
        )
