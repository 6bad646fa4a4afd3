"""Mean absolute error (L1 loss). Chapter: ``book/regression/mae.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce, upcast
from lossbook.losses._validation import check_optional_weight, check_pair, check_reduction


class _AbsoluteError(torch.autograd.Function):
    """:math:`|x - y|`, weighted and reduced inside the Function, with the (sub)gradient derived in the MAE chapter."""

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        ctx.save_for_backward(input, target, weight)
        ctx.reduction = reduction
        return reduce((input - target).abs_(), reduction, weight=weight)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, weight = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight)
        # d/dx |x - y| = sign(x - y), and sign(0) = 0 at the kink: PyTorch's subgradient
        grad = (input - target).sign_().mul_(scale)
        return *pair_grads(ctx.needs_input_grad, grad), None, None  # d/dy = -d/dx


def l1_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Mean absolute error between ``input`` and ``target``; mirrors :func:`torch.nn.functional.l1_loss`.

    .. math::

        \ell_i = w_i \lvert x_i - y_i \rvert, \qquad
        \frac{\partial \ell_i}{\partial x_i} = w_i \operatorname{sign}(x_i - y_i), \qquad
        \frac{\partial \ell_i}{\partial y_i} = -w_i \operatorname{sign}(x_i - y_i)

    with :math:`w_i = 1` when no ``weight`` is given. At :math:`x_i = y_i` the loss has a
    kink; the gradient there is :math:`\operatorname{sign}(0) = 0`, PyTorch's convention (a
    valid subgradient). ``'mean'`` divides the sum by the number of elements, or by
    :math:`\sum_i w_i` when ``weight`` is given, as PyTorch does.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        weight: optional per-element weights :math:`w`, the same shape as ``input``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``weight`` is not a floating-point tensor.
        ValueError: shapes differ, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import l1_loss
        >>> l1_loss(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 0.0, 1.0]))
        tensor(1.6667)
        >>> l1_loss(torch.tensor([1.0, -2.0]), torch.tensor([0.0, 0.0]), reduction="none")
        tensor([1., 2.])

    References:
        Koenker and Bassett, *Regression Quantiles* (1978): least absolute deviations as the
        median (0.5-quantile) regression.

    Chapter: ``book/regression/mae.ipynb``.
    """
    check_pair("l1_loss", input, target)
    check_reduction("l1_loss", reduction)
    check_optional_weight("l1_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        return reduce(_AbsoluteError.apply(x, y, None, "none"), reduction, weight=w, dtype=input.dtype)
    return _AbsoluteError.apply(x, y, w, reduction).to(input.dtype)


class L1Loss(_Loss):
    """Module form of :func:`l1_loss`; mirrors :class:`torch.nn.L1Loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import L1Loss
        >>> L1Loss(reduction="sum")(torch.tensor([1.0, -2.0]), torch.tensor([0.0, 0.0]))
        tensor(3.)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return l1_loss(input, target, reduction=self.reduction)
