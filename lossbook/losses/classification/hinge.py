"""Margin losses: the hinge and its relatives. Chapter: ``book/classification/hinge.ipynb``.

At a kink (a hinge exactly at its margin) the gradient is 0: the convention of
:func:`torch.nn.functional.relu` and of PyTorch's ``multi_margin_loss`` and
``multilabel_margin_loss`` kernels, which count a term only when it is strictly positive.
"""

from __future__ import annotations

import math

import torch
from torch.nn.functional import softplus

from lossbook.losses._autograd import first_order
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_index_dtype,
    check_index_range,
    check_matrix,
    check_number,
    check_pair,
    check_reduction,
    check_same_device,
    check_signs,
    check_tensor,
    shape_str,
)

# ---------------------------------------------------------------------------------------
# binary hinge


class _Hinge(torch.autograd.Function):
    r""":math:`\max(0, m - y x)` (or its square), reduced inside, with the chapter's (sub)gradient."""

    @staticmethod
    def forward(ctx, input, target, margin, squared, reduction):
        ctx.save_for_backward(input, target)
        ctx.options = (margin, squared, reduction)
        h = (target * input).neg_().add_(margin).clamp_min_(0)  # max(0, m - y x), in place
        return reduce(h.square_() if squared else h, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        margin, squared, reduction = ctx.options
        s = grad_scale(grad_output, reduction, input.shape)
        z = (target * input).neg_().add_(margin)
        # d/dz max(0, z) = 1 if z > 0 else 0 (0 at the kink z = 0);  d/dz max(0, z)^2 = 2 max(0, z)
        dz = z.clamp_min_(0).mul_(2) if squared else z.clamp_min_(0).sign_()  # [z > 0], as float arithmetic
        dz.mul_(s)
        grad_input = (target * dz).neg_() if ctx.needs_input_grad[0] else None  # dz/dx = -y
        grad_target = (input * dz).neg_() if ctx.needs_input_grad[1] else None  # dz/dy = -x
        return grad_input, grad_target, None, None, None


def hinge_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 1.0,
    squared: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Binary hinge loss for labels in :math:`\{-1, +1\}`, the loss of the linear SVM.

    With a score :math:`x`, a label :math:`y \in \{-1, +1\}`, the margin :math:`y x` and
    :math:`z = m - y x`:

    .. math::

        \ell = \max(0, z), \qquad
        \frac{\partial \ell}{\partial x} = -y\,[z > 0]

    and, with ``squared=True`` (the L2-SVM loss, differentiable everywhere),

    .. math::

        \ell = \max(0, z)^2, \qquad
        \frac{\partial \ell}{\partial x} = -2 y \max(0, z).

    At the kink :math:`z = 0` the plain hinge takes the subgradient 0 (the convention of
    ``relu`` and of PyTorch's ``multi_margin_loss``). The derivative with respect to the
    target, :math:`-x\,[z > 0]` (or :math:`-2x\max(0, z)`), is returned if it is asked for.

    Args:
        input: scores :math:`x` (logits; the predicted class is the sign).
        target: labels :math:`y`, a floating-point tensor of -1 and +1, the shape of ``input``.
        margin: :math:`m`, the margin the loss asks for (1 for the SVM).
        squared: square the hinge.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`.
        - target: :math:`(*)`, the shape of the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor, ``margin`` is not a
            real number or ``squared`` not a bool.
        ValueError: shapes differ, ``target`` holds a value other than -1 and +1, or a bad
            ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import hinge_loss
        >>> x, y = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([1.0, 1.0, 1.0])
        >>> hinge_loss(x, y, reduction="none")
        tensor([0.0000, 0.5000, 2.0000])
        >>> hinge_loss(x, y, squared=True, reduction="sum")
        tensor(4.2500)

    References:
        Cortes and Vapnik, "Support-Vector Networks" (1995).

    Chapter: ``book/classification/hinge.ipynb``.
    """
    fn = "hinge_loss"
    check_pair(fn, input, target)
    check_number(fn, "margin", margin)
    check_bool(fn, "squared", squared)
    check_reduction(fn, reduction)
    check_signs(fn, target)
    x, y = upcast(input, target)
    out = _Hinge.apply(x, y, float(margin), squared, reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class HingeLoss(_Loss):
    """Module form of :func:`hinge_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import HingeLoss
        >>> HingeLoss(margin=1.0)(torch.tensor([2.0, -0.5]), torch.tensor([1.0, 1.0]))
        tensor(0.7500)
    """

    def __init__(self, *, margin: float = 1.0, squared: bool = False, reduction: str = "mean") -> None:
        check_number("HingeLoss", "margin", margin)
        check_bool("HingeLoss", "squared", squared)
        super().__init__(reduction, margin=margin, squared=squared)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return hinge_loss(input, target, margin=self.margin, squared=self.squared, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# soft margin (logistic) loss


class _SoftMargin(torch.autograd.Function):
    """:math:`\\log(1 + e^{-y x})`, reduced inside, with the chapter's gradient."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        ctx.save_for_backward(input, target)
        ctx.reduction = reduction
        return reduce(softplus((target * input).neg_()), reduction)  # log(1 + e^{-yx}) without overflow

    @staticmethod
    @first_order("soft_margin_loss")
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, input.shape)
        g = torch.sigmoid((target * input).neg_()).mul_(s)  # d/dv log(1 + e^{-v}) = -sigmoid(-v), v = yx
        grad_input = (target * g).neg_() if ctx.needs_input_grad[0] else None
        grad_target = (input * g).neg_() if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


def soft_margin_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    r"""Logistic loss of the margin; mirrors :func:`torch.nn.functional.soft_margin_loss`.

    .. math::

        \ell = \log\big(1 + e^{-y x}\big), \qquad
        \frac{\partial \ell}{\partial x} = -y\,\sigma(-y x), \qquad
        \frac{\partial \ell}{\partial y} = -x\,\sigma(-y x)

    with :math:`\sigma` the logistic sigmoid. Labels are meant to be -1 and +1, but, as in
    PyTorch, any real target is accepted. Computed as :math:`\operatorname{softplus}(-yx)`,
    so that it stays finite where PyTorch's ``log1p(exp(-yx))`` overflows (:math:`yx = -10^4`).
    Unlike PyTorch, it is also differentiable in the target.

    Args:
        input: scores :math:`x`.
        target: labels :math:`y` (normally -1 and +1), the shape of ``input``.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`.
        - target: :math:`(*)`, the shape of the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor.
        ValueError: shapes differ, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import soft_margin_loss
        >>> soft_margin_loss(torch.tensor([0.0, 2.0]), torch.tensor([1.0, -1.0]), reduction="none")
        tensor([0.6931, 2.1269])

    References:
        Cox, "The Regression Analysis of Binary Sequences" (1958): the logistic model.

    Chapter: ``book/classification/hinge.ipynb``.
    """
    fn = "soft_margin_loss"
    check_pair(fn, input, target, target_floating=False)
    check_reduction(fn, reduction)
    target = target if target.is_floating_point() else target.to(input.dtype)  # labels of an integer dtype, as PyTorch allows
    x, y = upcast(input, target)
    out = _SoftMargin.apply(x, y, reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class SoftMarginLoss(_Loss):
    """Module form of :func:`soft_margin_loss`; mirrors :class:`torch.nn.SoftMarginLoss`."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return soft_margin_loss(input, target, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# multi-class hinge (Weston and Watkins)


class _MultiMargin(torch.autograd.Function):
    r"""Per example :math:`\frac{1}{C}\sum_{j \ne y} \max(0, m - x_y + x_j)^p`, weighted and reduced inside, with the chapter's gradient.

    :math:`z_j = m - x_y + x_j` is computed for every class, the target's own (:math:`z_y = m`)
    included, and that term, :math:`\max(0, m)^p`, is subtracted from each row's sum instead of
    masked. The gradient, :math:`h'(z_j)/C` for :math:`j \ne y` and minus their sum at
    :math:`y`, is at hand in the forward, which computes and keeps it; the backward scales it.
    """

    @staticmethod
    def forward(ctx, input, target, p, margin, weight, reduction):
        n_classes = input.shape[1]
        z = (input - input.gather(1, target[:, None])).add_(margin)  # z[n, j] = m - x_y + x_j
        grad = None
        if ctx.needs_input_grad[0]:
            # d/dx_j = [z_j > 0] h'(z_j) / C for j != y (h' = 1, or 2 z for p = 2); d/dx_y = -(sum of those)
            dz = (z > 0).to(z.dtype) if p == 1 else z.clamp_min(0).mul_(2)
            dz.scatter_(1, target[:, None], 0.0)
            grad = dz.scatter_(1, target[:, None], -dz.sum(dim=1, keepdim=True)).div_(n_classes)
        h = z.clamp_min_(0)
        rows = (h if p == 1 else h.square_()).sum(dim=1).sub_(max(margin, 0.0) ** p).div_(n_classes)
        ctx.save_for_backward(grad, weight)
        ctx.reduction = reduction
        return reduce(rows, reduction, weight=weight, denominator=rows.numel())

    @staticmethod
    @first_order("multi_margin_loss")
    def backward(ctx, grad_output):
        grad, weight = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, grad.shape[:1], weight=weight, denominator=grad.shape[0])
        return grad * (s.unsqueeze(1) if s.dim() > 0 else s), None, None, None, None, None


def multi_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Multi-class hinge loss; mirrors :func:`torch.nn.functional.multi_margin_loss`.

    For scores :math:`x \in \R^C` and a class index :math:`y`, with :math:`z_j = m - x_y + x_j`:

    .. math::

        \ell = \frac{w_y}{C} \sum_{j \ne y} \max(0, z_j)^p, \qquad
        \frac{\partial \ell}{\partial x_j} = \frac{w_y}{C}\,p \max(0, z_j)^{p-1} [z_j > 0] \;(j \ne y), \qquad
        \frac{\partial \ell}{\partial x_y} = -\sum_{j \ne y} \frac{\partial \ell}{\partial x_j}.

    Exactly PyTorch's semantics: the sum is divided by the number of classes :math:`C`
    (not by :math:`C - 1`); the optional per-class ``weight`` multiplies the loss of an
    example by the weight of its *target* class :math:`w_y`; ``'mean'`` divides by the
    number of examples (not by the sum of weights); a term exactly at its margin
    (:math:`z_j = 0`) has gradient 0. Negative margins and weights are allowed, as in PyTorch.

    Args:
        input: scores :math:`x`.
        target: class indices, an int64 tensor with values in :math:`[0, C)`.
        p: 1 (hinge) or 2 (squared hinge).
        margin: :math:`m`.
        weight: optional per-class weight :math:`w` of shape :math:`(C,)`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(N, C)`, :math:`(C,)` or a 0-d tensor (one class).
        - target: :math:`(N,)`; for a :math:`(C,)` or 0-d input, 0-d or :math:`(1,)`.
        - output: a scalar, or the target's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` (or ``weight``) not floating-point, ``target`` not an integer
            tensor of dtype int64, ``p`` or ``margin`` not numbers.
        ValueError: bad shapes (a batch size mismatch), a class index out of range, ``p`` not 1 or 2, a ``weight``
            whose length is not :math:`C`, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import multi_margin_loss
        >>> x, y = torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3])
        >>> multi_margin_loss(x, y)  # (0.3 + 0.4 + 0.6) / 4, the example of torch.nn.MultiMarginLoss
        tensor(0.3250)

    References:
        Weston and Watkins, "Support Vector Machines for Multi-Class Pattern Recognition" (1999).

    Chapter: ``book/classification/hinge.ipynb``.
    """
    fn = "multi_margin_loss"
    check_tensor(fn, "input", input)
    check_index_dtype(fn, target)
    check_same_device(fn, "target", target, input)
    if isinstance(p, bool) or p not in (1, 2):
        raise ValueError(f"{fn}: p must be 1 or 2, got {p!r}")
    check_number(fn, "margin", margin)
    check_reduction(fn, reduction)
    n_classes = check_matrix(fn, input)
    n = input.shape[0] if input.dim() == 2 else 1
    allowed = [(n,)] if input.dim() == 2 else [(), (1,)]
    if input.dim() == 2 and target.dim() == 1 and target.shape[0] != n:
        raise ValueError(f"{fn}: target batch size {target.shape[0]} does not match input batch size {n}")
    if tuple(target.shape) not in allowed:
        expected = " or ".join(str(s) for s in allowed)
        raise ValueError(f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}: expected {expected}")
    check_index_range(fn, target, 0, n_classes, "class indices")
    if weight is not None:
        check_tensor(fn, "weight", weight)
        if weight.shape != (n_classes,):
            raise ValueError(f"{fn}: weight must have shape ({n_classes},), one entry per class, got shape {shape_str(weight)}")
        check_same_device(fn, "weight", weight, input)
    x, w = upcast(input, weight)
    t = target.reshape(-1)
    w_t = None if w is None else w[t]  # PyTorch weights each example by its target's class weight, then takes a plain mean
    if w_t is not None and w_t.requires_grad:  # a learned weight: autograd differentiates the weighting
        loss = _MultiMargin.apply(x.reshape(n, n_classes), t, p, float(margin), None, "none")
        out = reduce(loss, reduction, weight=w_t, denominator=loss.numel(), dtype=input.dtype)
    else:
        out = _MultiMargin.apply(x.reshape(n, n_classes), t, p, float(margin), w_t, reduction)
        out = out if out.dtype == input.dtype else out.to(input.dtype)
    return out.reshape(target.shape) if reduction == "none" else out


class MultiMarginLoss(_Loss):
    """Module form of :func:`multi_margin_loss`; mirrors :class:`torch.nn.MultiMarginLoss` (``weight`` is a buffer)."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: torch.Tensor | None = None, reduction: str = "mean") -> None:
        if isinstance(p, bool) or p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        check_number("MultiMarginLoss", "margin", margin)
        super().__init__(reduction, p=p, margin=margin, weight=weight, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# multi-label hinge


class _MultiLabelMargin(torch.autograd.Function):
    r"""Per example :math:`\frac{1}{C}\sum_{j \in Y} \sum_{i \notin Y} \max(0, 1 - x_j + x_i)`, reduced inside, in O(C log C).

    ``count[n, j]`` is how often class ``j`` is listed as a target of example ``n`` (PyTorch
    counts a repeated label once per listing). Instead of the :math:`C \times C` table of
    pairs, each row's non-target scores are sorted once: for a target :math:`j`, the active
    non-targets are those with :math:`x_i > x_j - 1`, found by ``searchsorted``, and their
    hinge sum is :math:`m_j (1 - x_j) + \sum_{\text{active}} x_i` from a cumulative sum. The
    chapter's gradient, :math:`-m_j / C` for a target (times its count) and
    :math:`+|\{j \in Y : x_j - 1 < x_i\}| / C` for a non-target, comes from the same sort: the
    non-target in sorted position :math:`k` is active for every target whose count of inactive
    entries is at most :math:`k`, a cumulative histogram. The forward computes it and keeps it
    (an ``(N, C)`` tensor); the backward scales it. Time :math:`O(N C \log C)`, memory :math:`O(N C)`.
    """

    @staticmethod
    def forward(ctx, input, count, reduction):
        n_classes = input.shape[1]
        is_target = count > 0
        others, order = input.masked_fill(is_target, -math.inf).sort(dim=1)  # non-target scores, ascending; targets first
        cumulative = torch.where(torch.isinf(others), 0.0, others).cumsum(dim=1)
        threshold = input - 1  # i is active for target j when x_i > x_j - 1, i.e. 1 - x_j + x_i > 0
        below = torch.searchsorted(others, threshold, right=True)  # entries <= the threshold: inactive
        sum_below = torch.where(below > 0, cumulative.gather(1, (below - 1).clamp_min(0)), 0.0)
        active = n_classes - below  # m_j
        hinge = (1 - input).mul_(active).add_(cumulative[:, -1:] - sum_below)  # sum_i max(0, 1 - x_j + x_i)
        loss = (count * hinge).sum(dim=1) / n_classes
        grad = None
        if ctx.needs_input_grad[0]:
            # the non-target at sorted position k gains +1 (times the count) from every target j with
            # below_j <= k: a histogram of the below_j, summed cumulatively, then put back in class order
            starts = torch.zeros(input.shape[0], n_classes + 1, dtype=input.dtype, device=input.device)
            gains = starts.scatter_add_(1, below, count).cumsum_(dim=1)[:, :n_classes]
            gains = torch.empty_like(input).scatter_(1, order, gains)
            grad = torch.where(is_target, -count * active, gains).div_(n_classes)
        ctx.save_for_backward(grad)
        ctx.reduction = reduction
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, grad.shape[:1])
        return grad * (s.unsqueeze(1) if s.dim() > 0 else s), None, None


def multilabel_margin_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    r"""Multi-label hinge loss; mirrors :func:`torch.nn.functional.multilabel_margin_loss`.

    Each row of ``target`` lists the example's classes :math:`Y`, ended by the first -1
    (entries after it are ignored; without a -1 the whole row is read). Every target class
    :math:`j` should score at least 1 above every other class :math:`i`:

    .. math::

        \ell = \frac{1}{C} \sum_{j \in Y} \sum_{i \notin Y} \max(0, 1 - x_j + x_i), \qquad
        \frac{\partial \ell}{\partial x_i} = \frac{1}{C}\Big([i \notin Y] \sum_{j \in Y} [z_{ji} > 0]
            - [i \in Y] \sum_{k \notin Y} [z_{ik} > 0]\Big)

    with :math:`z_{ji} = 1 - x_j + x_i`. As in PyTorch, a class listed twice counts twice,
    and a term exactly at its margin (:math:`z = 0`) has gradient 0.

    Args:
        input: scores :math:`x`.
        target: an int64 tensor of the input's shape holding class indices and -1.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(N, C)`, :math:`(C,)` or 0-d.
        - target: the shape of the input.
        - output: a scalar, or :math:`(N,)` when ``reduction='none'`` (a scalar for a
          :math:`(C,)` input).

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` not floating-point, or ``target`` not an int64 tensor.
        ValueError: shapes differ, a target value outside :math:`[-1, C)`, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import multilabel_margin_loss
        >>> x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> y = torch.tensor([[3, 0, -1, 1]])  # classes 3 and 0; the 1 after -1 is ignored
        >>> multilabel_margin_loss(x, y)  # the example of torch.nn.MultiLabelMarginLoss
        tensor(0.8500)

    References:
        Elisseeff and Weston, "A Kernel Method for Multi-Labelled Classification" (NeurIPS 2001):
        the pairwise ranking hinge between the relevant and the irrelevant labels.

    Chapter: ``book/classification/hinge.ipynb``.
    """
    fn = "multilabel_margin_loss"
    check_tensor(fn, "input", input)
    check_index_dtype(fn, target)
    if target.shape != input.shape:
        raise ValueError(f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}")
    check_same_device(fn, "target", target, input)
    check_reduction(fn, reduction)
    n_classes = check_matrix(fn, input)
    check_index_range(fn, target, -1, n_classes, "class indices or -1")
    (x,) = upcast(input)
    x2, t2 = x.reshape(-1, n_classes), target.reshape(-1, n_classes)
    listed = (t2 >= 0).cumprod(dim=1).to(x2.dtype)  # 1 before the first -1, 0 from it on
    count = torch.zeros_like(x2).scatter_add_(1, t2.clamp_min(0), listed)
    out = _MultiLabelMargin.apply(x2, count, reduction)
    out = out.reshape(input.shape[:-1] if input.dim() == 2 else ()) if reduction == "none" else out
    return out if out.dtype == input.dtype else out.to(input.dtype)


class MultiLabelMarginLoss(_Loss):
    """Module form of :func:`multilabel_margin_loss`; mirrors :class:`torch.nn.MultiLabelMarginLoss`."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return multilabel_margin_loss(input, target, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# multi-label logistic loss


class _LogisticPerLabel(torch.autograd.Function):
    r"""Element-wise :math:`-(t \log\sigma(x) + (1 - t)\log\sigma(-x)) = \operatorname{softplus}(x) - t x`."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        return softplus(input) - target * input

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        grad_input = (torch.sigmoid(input) - target) * grad_output if ctx.needs_input_grad[0] else None
        grad_target = -input * grad_output if ctx.needs_input_grad[1] else None
        return grad_input, grad_target


def multilabel_soft_margin_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Multi-label logistic loss; mirrors :func:`torch.nn.functional.multilabel_soft_margin_loss`.

    One logistic loss per class, averaged over the :math:`C` classes of the last dimension:

    .. math::

        \ell = \frac{1}{C} \sum_{c} w_c \big(\operatorname{softplus}(x_c) - t_c x_c\big), \qquad
        \frac{\partial \ell}{\partial x_c} = \frac{w_c}{C}\big(\sigma(x_c) - t_c\big), \qquad
        \frac{\partial \ell}{\partial t_c} = -\frac{w_c}{C} x_c

    where :math:`\operatorname{softplus}(x) - t x = -\big(t \log\sigma(x) + (1 - t)\log\sigma(-x)\big)`.
    Targets are 0/1 labels (or probabilities); as in PyTorch, other values are not refused.
    ``'mean'`` averages over the examples (every dimension but the last).

    Args:
        input: logits :math:`x`.
        target: labels :math:`t`, a floating-point tensor of the input's shape.
        weight: optional weight :math:`w`: one per class, shape :math:`(C,)`, or one per
            element, the input's shape.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*, C)`, at least one dimension.
        - target: the shape of the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``weight`` not floating-point.
        ValueError: shapes differ, a ``weight`` of another shape, a 0-d input, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import multilabel_soft_margin_loss
        >>> x, t = torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 0.0]])
        >>> multilabel_soft_margin_loss(x, t)  # (log 2 + softplus(2)) / 2
        tensor(1.4100)

    Chapter: ``book/classification/hinge.ipynb``.
    """
    fn = "multilabel_soft_margin_loss"
    check_pair(fn, input, target, target_floating=False)
    check_reduction(fn, reduction)
    target = target if target.is_floating_point() else target.to(input.dtype)  # labels of an integer dtype, as PyTorch allows
    if input.dim() == 0:
        raise ValueError(f"{fn}: input must have a class dimension, got a 0-d tensor")
    n_classes = input.shape[-1]
    if weight is not None:
        check_tensor(fn, "weight", weight)
        if weight.shape not in (input.shape, (n_classes,)):
            raise ValueError(
                f"{fn}: weight shape {shape_str(weight)} does not match input shape {shape_str(input)}: "
                f"expected ({n_classes},), one weight per class, or the input's shape"
            )
        check_same_device(fn, "weight", weight, input)
    x, t, w = upcast(input, target, weight)
    loss = _LogisticPerLabel.apply(x, t)
    if w is not None:
        loss = loss * w
    return reduce(loss.sum(dim=-1) / n_classes, reduction, dtype=input.dtype, fn=fn)


class MultiLabelSoftMarginLoss(_Loss):
    """Module form of :func:`multilabel_soft_margin_loss`; mirrors :class:`torch.nn.MultiLabelSoftMarginLoss`."""

    def __init__(self, weight: torch.Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction, weight=weight, buffers=("weight",))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)
