"""Mean squared error. Chapter: ``book/regression/mse.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce, upcast
from lossbook.losses._validation import check_optional_weight, check_pair, check_reduction


class _SquaredError(torch.autograd.Function):
    r""":math:`(x - y)^2`, weighted and reduced inside the Function, with the gradient derived in the MSE chapter.

    For ``'mean'`` and ``'sum'`` no per-element loss is kept: the forward squares the residual
    in place and sums it; the backward recomputes the residual (one subtraction) and scales
    it in place by :math:`2` times the reduction's scale (1 for ``'sum'``, :math:`1/n` or
    :math:`w_i / \sum_j w_j` for ``'mean'``).
    """

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        ctx.save_for_backward(input, target, weight)
        ctx.reduction = reduction
        return reduce((input - target).square_(), reduction, weight=weight)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, weight = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight, factor=2.0)
        grad = (input - target).mul_(scale)  # d/dx (x - y)^2 = 2 (x - y), times the reduction's scale
        return *pair_grads(ctx.needs_input_grad, grad), None, None  # d/dy = -d/dx


def mse_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Mean squared error between ``input`` and ``target``; mirrors :func:`torch.nn.functional.mse_loss`.

    .. math::

        \ell_i = w_i (x_i - y_i)^2, \qquad
        \frac{\partial \ell_i}{\partial x_i} = 2 w_i (x_i - y_i), \qquad
        \frac{\partial \ell_i}{\partial y_i} = -2 w_i (x_i - y_i)

    with :math:`w_i = 1` when no ``weight`` is given. ``'mean'`` divides the sum by the
    number of elements, or by :math:`\sum_i w_i` when ``weight`` is given, as PyTorch does.
    The reduction happens inside the ``autograd.Function``, so ``'mean'`` and ``'sum'`` keep
    no per-element loss for backward; a ``weight`` that requires a gradient is applied
    outside it instead, where autograd differentiates the weighting.

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
        >>> from lossbook.losses import mse_loss
        >>> mse_loss(torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 0.0, 1.0]))
        tensor(4.3333)
        >>> mse_loss(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]), reduction="none")
        tensor([1., 4.])

    References:
        Gauss, *Theoria motus corporum coelestium* (1809): least squares as the maximum
        likelihood estimate under Gaussian noise.

    Chapter: ``book/regression/mse.ipynb``.
    """
    check_pair("mse_loss", input, target)
    check_reduction("mse_loss", reduction)
    check_optional_weight("mse_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        return reduce(_SquaredError.apply(x, y, None, "none"), reduction, weight=w, dtype=input.dtype)
    return _SquaredError.apply(x, y, w, reduction).to(input.dtype)


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`; mirrors :class:`torch.nn.MSELoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import MSELoss
        >>> MSELoss(reduction="sum")(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
        tensor(5.)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return mse_loss(input, target, reduction=self.reduction)
