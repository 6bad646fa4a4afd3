r"""Losses of pairs of embeddings: contrastive (Hadsell et al.), hinge embedding and cosine embedding. Chapter: ``book/representation/pairwise.ipynb``.

Each loss sees two embeddings (or their distance) and a label that says whether the pair
is similar. Similar pairs are pulled together; dissimilar pairs are pushed apart until
they are a margin away, and then left alone.

- :func:`contrastive_loss`: Hadsell, Chopra and LeCun's loss on the Euclidean distance of
  :func:`torch.nn.functional.pairwise_distance` (``eps = 1e-6`` inside the difference, the
  distance of ``triplet_margin_loss``), labels 1 (similar) and 0 (dissimilar).
- :func:`hinge_embedding_loss` and :func:`cosine_embedding_loss` mirror PyTorch's, labels
  +1 (similar) and -1 (dissimilar). PyTorch accepts any label and silently returns 0 (cosine)
  or applies both branches (hinge) for a label that is neither; lossbook raises instead.

At a kink (a pair exactly at the margin) the gradient is the active branch's, the
convention of PyTorch's ``clamp_min`` that its two embedding losses use.
"""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_number,
    check_reduction,
    check_same_device,
    check_same_shape,
    check_signs,
    check_tensor,
    device_assert,
    shape_str,
    values_checked,
)
from lossbook.losses.representation._distance import pairwise_distance

EPS = 1e-6  # inside the difference of the Euclidean distance, as in F.pairwise_distance
COSINE_EPS = 1e-12  # added to each squared norm, as in PyTorch's cosine_embedding_loss


# ---------------------------------------------------------------------------------------
# shared checks


def _check_label_dtype(fn: str, target, what: str) -> None:
    """Labels may be floating point or integer, as PyTorch allows (a bool tensor only where ``what`` allows it)."""
    check_tensor(fn, "target", target, floating=False)
    if target.is_complex() or (target.dtype == torch.bool and what != "01"):
        expected = "a floating-point, integer or bool tensor" if what == "01" else "a floating-point or integer tensor of -1 and +1"
        raise TypeError(f"{fn}: target must be {expected}, got dtype {target.dtype}")


def _check_binary(fn: str, target: torch.Tensor) -> None:
    """Labels in {0, 1}. A value check: a ``ValueError`` on CPU, a device-side assert elsewhere, skipped under compile."""
    if not values_checked(target) or target.dtype == torch.bool:
        return
    bad = (target != 0) & (target != 1)
    if target.device.type != "cpu":
        device_assert(~bad.any(), f"{fn}: target must hold 0 (dissimilar) and 1 (similar) only")
    elif bad.any():
        raise ValueError(f"{fn}: target must hold 0 (dissimilar) and 1 (similar) only, got the value {target[bad][0].item():g}")


def _check_pair_of_embeddings(fn: str, input1, input2, target) -> None:
    """``input1`` and ``input2`` of the same shape ``(N, D)`` or ``(D,)``; ``target`` of shape ``(N,)`` or ``()``."""
    check_tensor(fn, "input1", input1)
    check_tensor(fn, "input2", input2)
    if input1.dim() not in (1, 2):
        raise ValueError(f"{fn}: input1 must have shape (N, D) or (D,), got shape {shape_str(input1)}")
    if input2.shape != input1.shape:
        raise ValueError(f"{fn}: input2 shape {shape_str(input2)} does not match input1 shape {shape_str(input1)}")
    check_same_device(fn, "input2", input2, input1)
    if target.shape != input1.shape[:-1]:
        raise ValueError(
            f"{fn}: target shape {shape_str(target)} does not match input1 shape {shape_str(input1)}: "
            f"expected {tuple(input1.shape[:-1])}, one label per pair"
        )
    check_same_device(fn, "target", target, input1)


def _rows(input1, input2, target):
    """``(D,)`` inputs and a 0-d target as one row: ``(1, D)`` and ``(1,)``."""
    if input1.dim() == 1:
        return input1.unsqueeze(0), input2.unsqueeze(0), target.reshape(1)
    return input1, input2, target


def _out(out: torch.Tensor, target: torch.Tensor, dtype: torch.dtype, reduction: str) -> torch.Tensor:
    out = out.reshape(target.shape) if reduction == "none" else out
    return out if out.dtype == dtype else out.to(dtype)


# ---------------------------------------------------------------------------------------
# contrastive loss (Hadsell, Chopra and LeCun, 2006)


class _Contrastive(torch.autograd.Function):
    r""":math:`\tfrac12 t d^2 + \tfrac12 (1 - t) \max(0, m - d)^2` with :math:`d` = ``pairwise_distance``, reduced inside.

    With :math:`u = x_1 - x_2 + \epsilon` and :math:`h = \max(0, m - d)`, the gradient is
    :math:`\partial \ell / \partial x_1 = -\partial \ell / \partial x_2 = c\, u` with
    :math:`c = 1` for a similar pair (:math:`d \cdot u / d`, no division) and :math:`c = -h / d`
    for a dissimilar one (0 where :math:`d = 0`). The forward keeps :math:`u` and :math:`d`; under
    ``create_graph=True`` the backward recomputes them from the inputs, so that autograd can
    differentiate it again.
    """

    @staticmethod
    def forward(ctx, x1, x2, similar, margin, reduction):
        d, u = pairwise_distance(x1, x2, 2.0, EPS)
        h = (margin - d).clamp_min_(0)
        loss = torch.where(similar, d.square(), h.square()).mul_(0.5)
        ctx.save_for_backward(x1, x2, similar, u, d)
        ctx.margin, ctx.reduction = margin, reduction
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        x1, x2, similar, u, d = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: u and d with a graph, for the second derivatives
            d, u = pairwise_distance(x1, x2, 2.0, EPS)
        s = grad_scale(grad_output, ctx.reduction, d.shape)
        h = (ctx.margin - d).clamp_min(0)
        # dl/dd = d (similar) or -h (dissimilar); dd/dx1 = u / d, so dl/dx1 = u or -(h / d) u
        c = torch.where(similar, 1.0, torch.where(d == 0, 0.0, h.neg() / torch.where(d == 0, 1.0, d))) * s
        grad1 = u * c.unsqueeze(-1)
        grad2 = -grad1 if ctx.needs_input_grad[1] else None
        return (grad1 if ctx.needs_input_grad[0] else None), grad2, None, None, None


def contrastive_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Contrastive loss of a pair of embeddings (Hadsell, Chopra and LeCun, 2006), on their Euclidean distance.

    With the distance :math:`d = \lVert x_1 - x_2 + \epsilon \rVert_2` of
    :func:`torch.nn.functional.pairwise_distance` (:math:`\epsilon = 10^{-6}` added to every
    component of the difference, as in ``triplet_margin_loss``), the label :math:`t = 1` for a
    similar pair and :math:`t = 0` for a dissimilar one, and :math:`u = x_1 - x_2 + \epsilon`:

    .. math::

        \ell = \tfrac12\, t\, d^2 + \tfrac12\, (1 - t) \max(0, m - d)^2, \\
        \frac{\partial \ell}{\partial x_1} = -\frac{\partial \ell}{\partial x_2}
            = \Big(t\, d - (1 - t) \max(0, m - d)\Big) \frac{u}{d}
            = \begin{cases} u & t = 1 \\ -\dfrac{\max(0, m - d)}{d}\, u & t = 0. \end{cases}

    Similar pairs are pulled together with a force proportional to their distance; dissimilar
    pairs are pushed apart while they are closer than the margin :math:`m`, and then left alone.
    Hadsell et al. write the label the other way round: their :math:`Y = 0` is a similar pair and
    :math:`Y = 1` a dissimilar one, so :math:`t = 1 - Y` (the ``1/2`` factors are theirs).
    Because :math:`\epsilon` sits inside the norm, equal embeddings have
    :math:`d = \epsilon \sqrt{D} > 0` and a finite gradient: :math:`u = \epsilon` for a similar
    pair, and :math:`-(m - d)\, u / d` for a dissimilar one, a push of size :math:`m - d \approx m`
    along the unit vector :math:`u / d = \mathbf{1} / \sqrt{D}` (the direction of the
    :math:`\epsilon` offset), so that even a collapsed pair is pushed apart.

    Peers: sentence-transformers' ``ContrastiveLoss`` is this formula with label 1 for a similar
    pair, but its default distance is the cosine distance and its margin 0.5.
    pytorch-metric-learning's ``ContrastiveLoss(pos_margin=0, neg_margin=1)`` builds all
    pairs from class labels, takes the distance of L2-normalised embeddings, does not square
    the terms, has no ``1/2``, and averages only the non-zero terms. PyTorch has no
    contrastive loss; ``hinge_embedding_loss`` of the distance is its unsquared form (labels ±1).

    Args:
        input1: embeddings :math:`x_1`, floating point.
        input2: embeddings :math:`x_2`, the shape of ``input1``.
        target: labels :math:`t`: 1 (or ``True``) for a similar pair, 0 (``False``) for a
            dissimilar one; floating point, integer or bool. Not differentiated.
        margin: :math:`m > 0`, the distance beyond which a dissimilar pair costs nothing.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input1, input2: :math:`(N, D)` or :math:`(D,)`.
        - target: :math:`(N,)`, or :math:`()` for :math:`(D,)` inputs.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input1`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: an input is not a floating-point tensor, ``target`` is complex, or
            ``margin`` is not a number.
        ValueError: shapes do not match, ``target`` holds a value other than 0 and 1,
            ``margin <= 0``, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import contrastive_loss
        >>> a = torch.tensor([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
        >>> b = torch.tensor([[3.0, 4.0], [0.3, 0.4], [3.0, 4.0]])
        >>> contrastive_loss(a, b, torch.tensor([1, 0, 0]), reduction="none")  # d = 5, 0.5, 5
        tensor([12.5000,  0.1250,  0.0000])

    References:
        Hadsell, Chopra and LeCun, *Dimensionality Reduction by Learning an Invariant
        Mapping*, CVPR 2006 (their Eq. 4, with :math:`Y = 1 - t`).

    Chapter: ``book/representation/pairwise.ipynb``.
    """
    fn = "contrastive_loss"
    _check_label_dtype(fn, target, "01")
    _check_pair_of_embeddings(fn, input1, input2, target)
    check_number(fn, "margin", margin, low=0.0, low_open=True)
    check_reduction(fn, reduction)
    _check_binary(fn, target)
    x1, x2 = upcast(input1, input2)
    r1, r2, t = _rows(x1, x2, target.detach())
    out = _Contrastive.apply(r1, r2, t != 0, float(margin), reduction)
    return _out(out, target, input1.dtype, reduction)


class ContrastiveLoss(_Loss):
    """Module form of :func:`contrastive_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import ContrastiveLoss
        >>> ContrastiveLoss(margin=2.0)(torch.zeros(2, 2), torch.tensor([[0.6, 0.8], [0.6, 0.8]]), torch.tensor([1.0, 0.0]))
        tensor(0.5000)
    """

    def __init__(self, *, margin: float = 1.0, reduction: str = "mean") -> None:
        check_number("ContrastiveLoss", "margin", margin, low=0.0, low_open=True)
        super().__init__(reduction, margin=margin)

    def forward(self, input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return contrastive_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# hinge embedding loss (PyTorch's)


class _HingeEmbedding(torch.autograd.Function):
    r""":math:`x` for :math:`y = 1`, :math:`\max(0, m - x)` for :math:`y = -1`, reduced inside; gradient 1 or :math:`-[x \le m]`."""

    @staticmethod
    def forward(ctx, input, positive, margin, reduction):
        loss = torch.where(positive, input, (margin - input).clamp_min_(0))
        ctx.save_for_backward(input, positive)
        ctx.margin, ctx.reduction = margin, reduction
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, positive = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, input.shape)
        # d/dx x = 1;  d/dx max(0, m - x) = -1 where m - x >= 0 (the kink included, as PyTorch's clamp_min)
        g = torch.where(positive, 1.0, torch.where(input <= ctx.margin, -1.0, 0.0)).to(input.dtype)
        return g.mul_(s), None, None, None


def hinge_embedding_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Hinge embedding loss of a distance and a label in :math:`\{-1, +1\}`; mirrors :func:`torch.nn.functional.hinge_embedding_loss`.

    The input :math:`x` is meant to be a distance between two embeddings (e.g.
    :func:`torch.nn.functional.pairwise_distance`), the label :math:`y = 1` for a similar pair
    and :math:`y = -1` for a dissimilar one:

    .. math::

        \ell = \begin{cases} x & y = 1 \\ \max(0, m - x) & y = -1 \end{cases}, \qquad
        \frac{\partial \ell}{\partial x} = \begin{cases} 1 & y = 1 \\ -[x \le m] & y = -1. \end{cases}

    On a distance it is the unsquared form of :func:`contrastive_loss` (without its 1/2).
    At the kink :math:`x = m` the gradient is -1, PyTorch's convention (its ``clamp_min``).

    Differences from PyTorch:

    - A label other than -1 and +1 raises a ``ValueError`` (on CPU; a device-side assert on an
      accelerator, no check under :func:`torch.compile`). PyTorch applies the branch of every
      test the label passes: :math:`y = 0` (a {0, 1} label) gets :math:`x + \max(0, m - x)`,
      both branches at once, and any other value the same.
    - ``margin`` must be positive: on a distance :math:`x \ge 0`, a margin :math:`\le 0` makes
      the dissimilar branch identically 0.
    - ``target`` must have the input's shape; PyTorch broadcasts it.

    Like PyTorch's, the loss of a similar pair is :math:`x` itself: negative when the input is
    (pytorch#22965). On a distance that cannot happen; on a raw score the loss is unbounded
    below and training drives the score of similar pairs to :math:`-\infty`. lossbook keeps
    PyTorch's value there (the loss is meant for non-negative distances, and a negative
    input is not checked, which would cost a pass over the data for every call).

    Args:
        input: distances :math:`x` (non-negative, as the loss is meant), floating point.
        target: labels :math:`y`, -1 and +1 only, floating point or integer, the shape of
            ``input``. Not differentiated (PyTorch's gradient for it is ``None`` too).
        margin: :math:`m > 0`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`.
        - target: :math:`(*)`, the shape of the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not a floating-point tensor, ``target`` is bool or complex, or
            ``margin`` is not a number.
        ValueError: shapes differ, ``target`` holds a value other than -1 and +1,
            ``margin <= 0``, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import hinge_embedding_loss
        >>> d, y = torch.tensor([0.5, 0.5, 2.0]), torch.tensor([1.0, -1.0, -1.0])
        >>> hinge_embedding_loss(d, y, reduction="none")
        tensor([0.5000, 0.5000, 0.0000])

    References:
        PyTorch, ``torch.nn.HingeEmbeddingLoss`` (from Lua Torch's ``nn``).

    Chapter: ``book/representation/pairwise.ipynb``.
    """
    fn = "hinge_embedding_loss"
    check_tensor(fn, "input", input)
    _check_label_dtype(fn, target, "signs")
    check_same_shape(fn, "target", target, input)
    check_same_device(fn, "target", target, input)
    check_number(fn, "margin", margin, low=0.0, low_open=True)
    check_reduction(fn, reduction)
    check_signs(fn, target)
    (x,) = upcast(input)
    out = _HingeEmbedding.apply(x, target.detach() > 0, float(margin), reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class HingeEmbeddingLoss(_Loss):
    """Module form of :func:`hinge_embedding_loss`; mirrors :class:`torch.nn.HingeEmbeddingLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import HingeEmbeddingLoss
        >>> HingeEmbeddingLoss(margin=2.0)(torch.tensor([0.5, 0.5]), torch.tensor([1.0, -1.0]))
        tensor(1.)
    """

    def __init__(self, *, margin: float = 1.0, reduction: str = "mean") -> None:
        check_number("HingeEmbeddingLoss", "margin", margin, low=0.0, low_open=True)
        super().__init__(reduction, margin=margin)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# cosine embedding loss (PyTorch's)


def _cosine(x1: torch.Tensor, x2: torch.Tensor):
    """PyTorch's cosine of rows, with its :math:`10^{-12}` on each squared norm: ``(cos, denominator, n1, n2)``."""
    n1 = (x1 * x1).sum(-1).add_(COSINE_EPS)
    n2 = (x2 * x2).sum(-1).add_(COSINE_EPS)
    denom = (n1 * n2).sqrt_()
    return (x1 * x2).sum(-1).div_(denom), denom, n1, n2


class _CosineEmbedding(torch.autograd.Function):
    r""":math:`1 - \cos` for :math:`y = 1`, :math:`\max(0, \cos - m)` for :math:`y = -1`, reduced inside.

    :math:`\partial \cos / \partial x_1 = x_2 / q - \cos\, x_1 / n_1` with
    :math:`n_i = \lVert x_i \rVert^2 + 10^{-12}` and :math:`q = \sqrt{n_1 n_2}` (and the same with
    1 and 2 swapped). The forward keeps the per-pair :math:`\cos, q, n_1, n_2`; under
    ``create_graph=True`` the backward recomputes them from the inputs.
    """

    @staticmethod
    def forward(ctx, x1, x2, positive, margin, reduction):
        cos, denom, n1, n2 = _cosine(x1, x2)
        loss = torch.where(positive, 1 - cos, (cos - margin).clamp_min_(0))
        ctx.save_for_backward(x1, x2, positive, cos, denom, n1, n2)
        ctx.margin, ctx.reduction = margin, reduction
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        x1, x2, positive, cos, denom, n1, n2 = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: recompute with a graph, for the second derivatives
            cos, denom, n1, n2 = _cosine(x1, x2)
        s = grad_scale(grad_output, ctx.reduction, cos.shape)
        # dl/dcos = -1 (similar) or [cos >= m] (dissimilar; the kink included, as PyTorch's clamp_min)
        dc = torch.where(positive, -1.0, torch.where(cos >= ctx.margin, 1.0, 0.0)).to(cos.dtype) * s
        a = (dc / denom).unsqueeze(-1)  # the coefficient of the other input
        grad1 = grad2 = None
        if ctx.needs_input_grad[0]:
            grad1 = x1 * (dc * cos / n1).neg_().unsqueeze(-1)
            grad1 = grad1.addcmul_(x2, a) if not torch.is_grad_enabled() else grad1 + x2 * a
        if ctx.needs_input_grad[1]:
            grad2 = x2 * (dc * cos / n2).neg_().unsqueeze(-1)
            grad2 = grad2.addcmul_(x1, a) if not torch.is_grad_enabled() else grad2 + x1 * a
        return grad1, grad2, None, None, None


def cosine_embedding_loss(
    input1: torch.Tensor,
    input2: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 0.0,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Cosine embedding loss of a pair of embeddings and a label in :math:`\{-1, +1\}`; mirrors :func:`torch.nn.functional.cosine_embedding_loss`.

    With PyTorch's cosine :math:`c = x_1 \cdot x_2 / \sqrt{n_1 n_2}`, where
    :math:`n_i = \lVert x_i \rVert^2 + \epsilon` and :math:`\epsilon = 10^{-12}`:

    .. math::

        \ell = \begin{cases} 1 - c & y = 1 \\ \max(0, c - m) & y = -1 \end{cases}, \qquad
        \frac{\partial c}{\partial x_1} = \frac{x_2}{\sqrt{n_1 n_2}} - c\, \frac{x_1}{n_1}, \\
        \frac{\partial \ell}{\partial x_1} = \begin{cases} -\partial c / \partial x_1 & y = 1 \\
            [c \ge m]\, \partial c / \partial x_1 & y = -1 \end{cases}

    and the same for :math:`x_2` with 1 and 2 swapped. :math:`\partial c / \partial x_1` is
    orthogonal to :math:`x_1` (up to :math:`\epsilon`) and of size at most
    :math:`1 / \lVert x_1 \rVert`: the loss only turns an embedding, and the smaller it is the
    faster. At :math:`x_1 = 0` the :math:`\epsilon` makes :math:`c = 0` and the gradient finite
    but large: :math:`x_2 / (\sqrt{\epsilon} \lVert x_2 \rVert)`, a unit vector times
    :math:`10^6`, as in PyTorch. At the kink :math:`c = m` the gradient is the active
    branch's, PyTorch's convention.

    Differences from PyTorch:

    - A label other than -1 and +1 raises a ``ValueError`` (on CPU; a device-side assert on an
      accelerator, no check under :func:`torch.compile`). PyTorch gives such a pair a loss of
      0, silently (pytorch#23782): a {0, 1} label trains the similar pairs only.
    - ``margin`` must be in :math:`[-1, 1]`, the range of a cosine: a margin :math:`\ge 1`
      makes the dissimilar branch identically 0, one :math:`\le -1` never inactive.
    - ``input2`` must have ``input1``'s shape; PyTorch broadcasts it.

    Args:
        input1: embeddings :math:`x_1`, floating point.
        input2: embeddings :math:`x_2`, the shape of ``input1``.
        target: labels :math:`y`, -1 and +1 only, floating point or integer. Not
            differentiated (PyTorch's gradient for it is ``None`` too).
        margin: :math:`m \in [-1, 1]`; PyTorch suggests 0 to 0.5.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input1, input2: :math:`(N, D)` or :math:`(D,)`.
        - target: :math:`(N,)`, or :math:`()` for :math:`(D,)` inputs.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input1`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: an input is not a floating-point tensor, ``target`` is bool or complex, or
            ``margin`` is not a number.
        ValueError: shapes do not match, ``target`` holds a value other than -1 and +1,
            ``margin`` is outside :math:`[-1, 1]`, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import cosine_embedding_loss
        >>> a = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
        >>> b = torch.tensor([[1.0, 1.0], [1.0, 1.0], [-1.0, 0.0]])
        >>> cosine_embedding_loss(a, b, torch.tensor([1, -1, -1]), reduction="none")  # cos = 0.71, 0.71, -1
        tensor([0.2929, 0.7071, 0.0000])

    References:
        PyTorch, ``torch.nn.CosineEmbeddingLoss`` (from Lua Torch's ``nn``).

    Chapter: ``book/representation/pairwise.ipynb``.
    """
    fn = "cosine_embedding_loss"
    _check_label_dtype(fn, target, "signs")
    _check_pair_of_embeddings(fn, input1, input2, target)
    check_number(fn, "margin", margin, low=-1.0, high=1.0)
    check_reduction(fn, reduction)
    check_signs(fn, target)
    x1, x2 = upcast(input1, input2)
    r1, r2, t = _rows(x1, x2, target.detach())
    out = _CosineEmbedding.apply(r1, r2, t > 0, float(margin), reduction)
    return _out(out, target, input1.dtype, reduction)


class CosineEmbeddingLoss(_Loss):
    """Module form of :func:`cosine_embedding_loss`; mirrors :class:`torch.nn.CosineEmbeddingLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import CosineEmbeddingLoss
        >>> CosineEmbeddingLoss(margin=0.5)(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]), torch.tensor([-1.0]))
        tensor(0.2071)
    """

    def __init__(self, *, margin: float = 0.0, reduction: str = "mean") -> None:
        check_number("CosineEmbeddingLoss", "margin", margin, low=-1.0, high=1.0)
        super().__init__(reduction, margin=margin)

    def forward(self, input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)
