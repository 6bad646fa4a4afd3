"""Quantile (pinball) loss. Chapter: ``book/regression/quantile.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import check_number, check_optional_weight, check_pair, check_reduction


class _Pinball(torch.autograd.Function):
    """Pinball loss :math:`\\rho_\\tau(y - x)`, weighted and reduced inside, with the gradient derived in the quantile chapter.

    :math:`\\rho_\\tau(u) = \\tau u - \\min(u, 0)`, and its slope :math:`\\tau` for :math:`u > 0`,
    :math:`\\tau - 1` for :math:`u < 0` and 0 at :math:`u = 0` is :math:`s (\\tfrac12 + (\\tau - \\tfrac12) s)`
    with :math:`s = \\operatorname{sign}(u)`: a few in-place passes, no masks.
    """

    @staticmethod
    def forward(ctx, input, target, quantile, weight, reduction):
        ctx.save_for_backward(input, target, weight)
        ctx.quantile, ctx.reduction = quantile, reduction
        u = target - input
        below = u.clamp(max=0)
        return reduce(u.mul_(quantile).sub_(below), reduction, weight=weight)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, weight = ctx.saved_tensors
        tau = ctx.quantile
        scale = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight)
        # d rho / du = tau (u > 0), tau - 1 (u < 0), and 0 at u = 0 (a subgradient: 0 lies in [tau - 1, tau])
        s = (target - input).sign_()
        grad = s.mul(tau - 0.5).add_(0.5).mul_(s).mul_(scale)  # the gradient with respect to the target (du/dy = 1)
        grad_target = grad if ctx.needs_input_grad[1] else None
        grad_input = None
        if ctx.needs_input_grad[0]:  # du/dx = -1
            grad_input = -grad if grad_target is not None else grad.neg_()
        return grad_input, grad_target, None, None, None


def quantile_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    quantile: float = 0.5,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Quantile (pinball) loss: its minimizer is the ``quantile``-th quantile of the target.

    PyTorch has no quantile loss; this one follows the conventions of
    :func:`torch.nn.functional.l1_loss` (``reduction``, an optional element-wise ``weight``,
    shapes never broadcast). With the residual :math:`u_i = y_i - x_i` (target minus
    prediction) and :math:`\tau` = ``quantile``:

    .. math::

        \ell_i = w_i \rho_\tau(u_i), \qquad
        \rho_\tau(u) = \begin{cases} \tau u & u \ge 0 \\ (\tau - 1) u & u < 0 \end{cases}

    .. math::

        \frac{\partial \ell_i}{\partial x_i} = -w_i \rho_\tau'(u_i), \qquad
        \frac{\partial \ell_i}{\partial y_i} = w_i \rho_\tau'(u_i), \qquad
        \rho_\tau'(u) = \begin{cases} \tau & u > 0 \\ 0 & u = 0 \\ \tau - 1 & u < 0 \end{cases}

    At the kink :math:`u = 0` the subgradient 0 is used (it lies in the subdifferential
    :math:`[\tau - 1, \tau]`), as PyTorch uses 0 for :math:`|u|` at 0: with
    ``quantile=0.5`` the loss and its gradient are exactly half those of ``l1_loss``.

    Args:
        input: predictions :math:`x` of the ``quantile``-th conditional quantile.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        quantile: :math:`\tau`, in the open interval (0, 1).
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
        TypeError: ``input``, ``target`` or ``weight`` is not a floating-point tensor, or
            ``quantile`` is not a real number.
        ValueError: shapes differ (``weight`` included), ``quantile`` is outside (0, 1), or
            ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import quantile_loss
        >>> x, y = torch.tensor([0.0, 0.0]), torch.tensor([2.0, -2.0])
        >>> quantile_loss(x, y, quantile=0.9, reduction="none")  # under-predicting costs 0.9 per unit
        tensor([1.8000, 0.2000])
        >>> quantile_loss(x, y, quantile=0.9)
        tensor(1.)

    References:
        Koenker and Bassett, *Regression Quantiles*, Econometrica 46(1), 33-50 (1978).
    """
    check_pair("quantile_loss", input, target)
    check_number("quantile_loss", "quantile", quantile, low=0, high=1, low_open=True, high_open=True)
    check_reduction("quantile_loss", reduction)
    check_optional_weight("quantile_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        return reduce(_Pinball.apply(x, y, float(quantile), None, "none"), reduction, weight=w, dtype=input.dtype)
    out = _Pinball.apply(x, y, float(quantile), w, reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class QuantileLoss(_Loss):
    """Module form of :func:`quantile_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import QuantileLoss
        >>> QuantileLoss(quantile=0.1)(torch.tensor([0.0, 0.0]), torch.tensor([2.0, -2.0]))
        tensor(1.)
    """

    def __init__(self, quantile: float = 0.5, reduction: str = "mean") -> None:
        check_number("QuantileLoss", "quantile", quantile, low=0, high=1, low_open=True, high_open=True)
        super().__init__(reduction, quantile=quantile)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return quantile_loss(input, target, quantile=self.quantile, reduction=self.reduction)
