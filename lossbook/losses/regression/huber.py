"""Huber loss and Smooth L1 loss. Chapter: ``book/regression/huber.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce, upcast
from lossbook.losses._validation import check_number, check_optional_weight, check_pair, check_reduction
from lossbook.losses.regression.mae import _AbsoluteError


class _Huber(torch.autograd.Function):
    r"""Huber loss with threshold :math:`\delta`, times ``factor``, reduced inside the Function.

    With the residual :math:`r = x - y` and its clipped value :math:`c = \operatorname{clamp}(r, -\delta, \delta)`,
    the loss is :math:`c\,(r - c/2)`: :math:`r^2/2` inside the threshold and
    :math:`\delta (|r| - \delta/2)` outside, computed in place on :math:`r`. The gradient
    derived in the Huber chapter is :math:`c` itself, so the forward keeps :math:`c` and the
    backward only scales it by ``factor`` and the reduction's scale: one pass, where
    recomputing :math:`c` from :math:`x` and :math:`y` would take three. Under
    ``create_graph=True`` the backward recomputes :math:`c` with differentiable operations,
    so that second derivatives stay exact. Smooth L1 is ``factor = 1 / beta`` with
    :math:`\delta = \beta`.
    """

    @staticmethod
    def forward(ctx, input, target, delta, factor, weight, reduction):
        r = input - target
        c = r.clamp(-delta, delta)  # the clipped residual: the gradient, up to the reduction's scale
        ctx.save_for_backward(input, target, c, weight)
        ctx.delta, ctx.factor, ctx.reduction = delta, factor, reduction
        loss = reduce(r.sub_(c, alpha=0.5).mul_(c), reduction, weight=weight, denominator=input.numel())
        return loss if factor == 1.0 else loss.mul_(factor)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, clipped, weight = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight, denominator=input.numel(), factor=ctx.factor)
        if torch.is_grad_enabled():  # create_graph=True: the same c, as a function of x and y, for autograd to differentiate
            clipped = (input - target).clamp(-ctx.delta, ctx.delta)
        # d/dx huber(x - y) = clamp(x - y, -delta, delta): the residual, clipped at +-delta
        grad = clipped * scale
        return *pair_grads(ctx.needs_input_grad, grad), None, None, None, None  # d/dy = -d/dx


def huber_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Huber loss between ``input`` and ``target``; mirrors :func:`torch.nn.functional.huber_loss`.

    With the residual :math:`r_i = x_i - y_i`,

    .. math::

        \ell_i = w_i \begin{cases} \tfrac12 r_i^2 & |r_i| < \delta \\
                 \delta \big(|r_i| - \tfrac12 \delta\big) & \text{otherwise} \end{cases},
        \qquad
        \frac{\partial \ell_i}{\partial x_i} = w_i \operatorname{clamp}(r_i, -\delta, \delta)
        = -\frac{\partial \ell_i}{\partial y_i}

    with :math:`w_i = 1` when no ``weight`` is given. It equals
    ``delta * smooth_l1_loss(input, target, beta=delta)``. As in PyTorch, ``'mean'`` divides
    the weighted sum by the **number of elements**, not by :math:`\sum_i w_i` (unlike
    :func:`~lossbook.losses.mse_loss` and :func:`~lossbook.losses.l1_loss`).

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        delta: the threshold :math:`\delta` in :math:`(0, \infty]` where the loss turns from
            quadratic to linear; ``float('inf')`` gives :math:`\tfrac12 r^2`.
        weight: optional per-element weights :math:`w`, the same shape as ``input``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``weight`` is not a floating-point tensor, or
            ``delta`` is not a real number.
        ValueError: shapes differ, ``reduction`` is not one of the three values, or
            ``delta`` is not positive.

    Example:
        >>> import torch
        >>> from lossbook.losses import huber_loss
        >>> huber_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]), reduction="none")
        tensor([0.1250, 2.5000])
        >>> huber_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]), delta=2.0)
        tensor(2.0625)

    References:
        Huber, *Robust Estimation of a Location Parameter* (1964).

    Chapter: ``book/regression/huber.ipynb``.
    """
    check_pair("huber_loss", input, target)
    check_reduction("huber_loss", reduction)
    check_number("huber_loss", "delta", delta, low=0, low_open=True)
    check_optional_weight("huber_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    # PyTorch weights, then takes a plain mean: sum(w * l) / n
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        loss = _Huber.apply(x, y, delta, 1.0, None, "none")
        return reduce(loss, reduction, weight=w, denominator=loss.numel(), dtype=input.dtype)
    return _Huber.apply(x, y, delta, 1.0, w, reduction).to(input.dtype)


def smooth_l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    beta: float = 1.0,
) -> torch.Tensor:
    r"""Smooth L1 loss between ``input`` and ``target``; mirrors :func:`torch.nn.functional.smooth_l1_loss`.

    With the residual :math:`r_i = x_i - y_i`,

    .. math::

        \ell_i = \begin{cases} \tfrac12 r_i^2 / \beta & |r_i| < \beta \\
                 |r_i| - \tfrac12 \beta & \text{otherwise} \end{cases},
        \qquad
        \frac{\partial \ell_i}{\partial x_i} = \operatorname{clamp}(r_i / \beta, -1, 1)
        = -\frac{\partial \ell_i}{\partial y_i} .

    It equals ``huber_loss(input, target, delta=beta) / beta``. With ``beta=0`` it is, as in
    PyTorch, exactly :func:`~lossbook.losses.l1_loss`: :math:`\ell_i = |r_i|`, with gradient
    :math:`\operatorname{sign}(r_i)` and :math:`\operatorname{sign}(0) = 0`.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        beta: the threshold :math:`\beta` in :math:`[0, \infty]` where the loss turns from
            quadratic to linear.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor, or ``beta`` is not
            a real number.
        ValueError: shapes differ, ``reduction`` is not one of the three values, or ``beta``
            is negative.

    Example:
        >>> import torch
        >>> from lossbook.losses import smooth_l1_loss
        >>> smooth_l1_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]), reduction="none")
        tensor([0.1250, 2.5000])
        >>> smooth_l1_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]), beta=2.0, reduction="none")
        tensor([0.0625, 2.0000])

    References:
        Girshick, *Fast R-CNN* (2015), where the loss is introduced for box regression.

    Chapter: ``book/regression/huber.ipynb``.
    """
    check_pair("smooth_l1_loss", input, target)
    check_reduction("smooth_l1_loss", reduction)
    check_number("smooth_l1_loss", "beta", beta, low=0)
    x, y = upcast(input, target)
    if beta == 0:  # as in PyTorch: beta = 0 is exactly l1_loss
        return _AbsoluteError.apply(x, y, None, reduction).to(input.dtype)
    return _Huber.apply(x, y, beta, 1.0 / beta, None, reduction).to(input.dtype)  # huber(delta=beta) / beta


class HuberLoss(_Loss):
    """Module form of :func:`huber_loss`; mirrors :class:`torch.nn.HuberLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import HuberLoss
        >>> HuberLoss(delta=2.0, reduction="sum")(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(4.1250)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        check_number("HuberLoss", "delta", delta, low=0, low_open=True)
        super().__init__(reduction, delta=delta)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Module form of :func:`smooth_l1_loss`; mirrors :class:`torch.nn.SmoothL1Loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import SmoothL1Loss
        >>> SmoothL1Loss(beta=0.0)(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(1.7500)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        check_number("SmoothL1Loss", "beta", beta, low=0)
        super().__init__(reduction, beta=beta)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
