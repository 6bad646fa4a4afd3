"""Huber loss and Smooth L1 loss. Chapter: ``book/regression/huber.ipynb``."""

from __future__ import annotations

import torch
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import check_number, check_optional_weight, check_pair, check_reduction
from lossbook.losses.regression.mae import _AbsoluteError


class _Huber(torch.autograd.Function):
    """Element-wise Huber loss with the clipped-residual gradient derived in the Huber chapter."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, delta: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.delta = delta
        z = (input - target).abs()
        return torch.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        # d/dx huber(x - y) = clamp(x - y, -delta, delta): the residual, clipped at +-delta
        grad = (input - target).clamp(-ctx.delta, ctx.delta) * grad_output
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None  # delta is a number, not a tensor


class _SmoothL1(torch.autograd.Function):
    """Element-wise Smooth L1 loss (``beta > 0``) with the gradient derived in the Huber chapter."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, beta: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.beta = beta
        z = (input - target).abs()
        return torch.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        # d/dx smooth_l1(x - y) = clamp((x - y) / beta, -1, 1) = huber'(x - y) / beta
        grad = ((input - target) / ctx.beta).clamp(-1.0, 1.0) * grad_output
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None
        return grad_input, grad_target, None


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
    loss = _Huber.apply(x, y, delta)
    if w is not None:
        loss = loss * w  # PyTorch weights, then takes a plain mean: sum(w * l) / n
    return reduce(loss, reduction, dtype=input.dtype, fn="huber_loss")


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
    if beta == 0:
        loss = _AbsoluteError.apply(x, y)  # as in PyTorch: beta = 0 is exactly l1_loss
    else:
        loss = _SmoothL1.apply(x, y, beta)
    return reduce(loss, reduction, dtype=input.dtype, fn="smooth_l1_loss")


class HuberLoss(nn.Module):
    """Module form of :func:`huber_loss`; mirrors :class:`torch.nn.HuberLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import HuberLoss
        >>> HuberLoss(delta=2.0, reduction="sum")(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(4.1250)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__()
        check_reduction("HuberLoss", reduction)
        check_number("HuberLoss", "delta", delta, low=0, low_open=True)
        self.reduction = reduction
        self.delta = delta

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class SmoothL1Loss(nn.Module):
    """Module form of :func:`smooth_l1_loss`; mirrors :class:`torch.nn.SmoothL1Loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import SmoothL1Loss
        >>> SmoothL1Loss(beta=0.0)(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
        tensor(1.7500)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__()
        check_reduction("SmoothL1Loss", reduction)
        check_number("SmoothL1Loss", "beta", beta, low=0)
        self.reduction = reduction
        self.beta = beta

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, beta={self.beta}"
