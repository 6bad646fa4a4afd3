"""Mean squared error. Chapter: ``book/regression/mse.ipynb``."""

from __future__ import annotations

import torch
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import check_optional_weight, check_pair, check_reduction


class _SquaredError(torch.autograd.Function):
    """Element-wise :math:`(x - y)^2` with the gradient derived in the MSE chapter."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        return (input - target) ** 2

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        grad = 2 * (input - target) * grad_output  # d/dx (x - y)^2 = 2 (x - y)
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None  # d/dy (x - y)^2 = -2 (x - y)
        return grad_input, grad_target


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
    return reduce(_SquaredError.apply(x, y), reduction, weight=w, dtype=input.dtype, fn="mse_loss")


class MSELoss(nn.Module):
    """Module form of :func:`mse_loss`; mirrors :class:`torch.nn.MSELoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import MSELoss
        >>> MSELoss(reduction="sum")(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
        tensor(5.)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction("MSELoss", reduction)
        self.reduction = reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return mse_loss(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"
