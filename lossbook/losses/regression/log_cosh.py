"""Log-cosh loss. Chapter: ``book/regression/log-cosh.ipynb``."""

from __future__ import annotations

import math

import torch
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import check_optional_weight, check_pair, check_reduction

_LOG2 = math.log(2.0)


def log_cosh(r: torch.Tensor) -> torch.Tensor:
    r"""Element-wise :math:`\log\cosh r`, finite for every finite ``r`` and accurate near 0.

    Two forms, each used where it is exact to rounding (derived in the chapter):

    .. math::

        \log\cosh r = |r| + \log\!\left(1 + e^{-2|r|}\right) - \log 2
        \quad (|r| \ge 1), \qquad
        \log\cosh r = \log\!\left(1 + 2\sinh^2(r/2)\right) \quad (|r| < 1).

    The first never overflows (:math:`\cosh r` itself overflows float32 beyond
    :math:`|r| \approx 89`); the second avoids the cancellation of the first near 0,
    where the loss is about :math:`r^2/2`.
    """
    a = r.abs()
    large = a + torch.log1p(torch.exp(-2 * a)) - _LOG2
    small = torch.log1p(2 * torch.sinh(r.clamp(-1, 1) / 2) ** 2)
    return torch.where(a < 1, small, large)


class _LogCosh(torch.autograd.Function):
    """Element-wise :math:`\\log\\cosh(x - y)` with the gradient derived in the log-cosh chapter."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        return log_cosh(input - target)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        grad = torch.tanh(input - target) * grad_output  # d/dr log cosh r = sinh r / cosh r = tanh r
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None  # r = x - y, so d/dy = -tanh r
        return grad_input, grad_target


def log_cosh_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Log-cosh loss between ``input`` and ``target``: quadratic near 0, linear far away.

    PyTorch has no log-cosh loss; this one follows the conventions of
    :func:`torch.nn.functional.huber_loss` (``reduction``, an optional element-wise
    ``weight``, shapes never broadcast).

    .. math::

        \ell_i = w_i \log\cosh(x_i - y_i), \qquad
        \frac{\partial \ell_i}{\partial x_i} = w_i \tanh(x_i - y_i), \qquad
        \frac{\partial \ell_i}{\partial y_i} = -w_i \tanh(x_i - y_i)

    with :math:`w_i = 1` when no ``weight`` is given. For small residuals
    :math:`\log\cosh r \approx r^2/2`, for large ones :math:`\approx |r| - \log 2`. The value
    is computed as :math:`|r| + \log(1 + e^{-2|r|}) - \log 2` (and as
    :math:`\log(1 + 2\sinh^2(r/2))` for :math:`|r| < 1`), finite for any finite residual.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        weight: optional per-element weights :math:`w`, the same shape as ``input``;
            ``'mean'`` then divides by :math:`\sum_i w_i`.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``weight`` is not a floating-point tensor.
        ValueError: shapes differ (``weight`` included), or ``reduction`` is not one of the
            three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import log_cosh_loss
        >>> log_cosh_loss(torch.tensor([0.0, 1.0, 1e4]), torch.zeros(3), reduction="none")
        tensor([0.0000e+00, 4.3378e-01, 9.9993e+03])
        >>> log_cosh_loss(torch.tensor([1.0, -2.0]), torch.tensor([0.0, 0.0]))
        tensor(0.8794)

    References:
        Saleh and Saleh, *Statistical properties of the log-cosh loss function used in
        machine learning*, arXiv:2208.04564 (2022).
    """
    check_pair("log_cosh_loss", input, target)
    check_reduction("log_cosh_loss", reduction)
    check_optional_weight("log_cosh_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    return reduce(_LogCosh.apply(x, y), reduction, weight=w, dtype=input.dtype, fn="log_cosh_loss")


class LogCoshLoss(nn.Module):
    """Module form of :func:`log_cosh_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import LogCoshLoss
        >>> LogCoshLoss(reduction="sum")(torch.tensor([1.0, -2.0]), torch.zeros(2))
        tensor(1.7588)
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction("LogCoshLoss", reduction)
        self.reduction = reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return log_cosh_loss(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"
