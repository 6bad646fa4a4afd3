"""Barron's general and adaptive robust loss. Chapter: ``book/regression/robust.ipynb``."""

from __future__ import annotations

import math

import torch
from torch import nn

from lossbook.losses._reduction import reduce, upcast
from lossbook.losses._validation import check_number, check_optional_weight, check_pair, check_reduction


def barron_rho(z: torch.Tensor, alpha: float) -> torch.Tensor:
    r"""Barron's loss as a function of the squared scaled residual :math:`z = (x/c)^2`.

    .. math::

        \rho = \frac{|\alpha - 2|}{\alpha}
        \left[\left(\frac{z}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1\right]
        = \frac{|\alpha - 2|}{\alpha}\,
        \operatorname{expm1}\!\left(\frac{\alpha}{2}\operatorname{log1p}\frac{z}{|\alpha - 2|}\right)

    with the limits :math:`z/2` (:math:`\alpha = 2`), :math:`\log(1 + z/2)`
    (:math:`\alpha = 0`) and :math:`1 - e^{-z/2}` (:math:`\alpha = -\infty`) computed exactly.
    The ``expm1``/``log1p`` form keeps full precision for :math:`\alpha` near 0 and small
    :math:`z`, where the plain power form cancels.
    """
    if alpha == 2:
        return 0.5 * z
    if alpha == 0:
        return torch.log1p(0.5 * z)
    if alpha == -math.inf:
        return -torch.expm1(-0.5 * z)
    b = abs(alpha - 2)
    return (b / alpha) * torch.expm1((alpha / 2) * torch.log1p(z / b))


def barron_weight(z: torch.Tensor, alpha: float) -> torch.Tensor:
    r"""The weight :math:`w = \psi(x) / (x / c^2)` of Barron's loss, a function of :math:`z = (x/c)^2`.

    .. math::

        w = \left(\frac{z}{|\alpha - 2|} + 1\right)^{\alpha/2 - 1},

    with the limits 1 (:math:`\alpha = 2`) and :math:`e^{-z/2}` (:math:`\alpha = -\infty`);
    at :math:`\alpha = 0` the formula holds as it is: :math:`1/(1 + z/2)`.
    """
    if alpha == 2:
        return torch.ones_like(z)
    if alpha == -math.inf:
        return torch.exp(-0.5 * z)
    b = abs(alpha - 2)
    return torch.exp((alpha / 2 - 1) * torch.log1p(z / b))


class _Barron(torch.autograd.Function):
    """Element-wise :math:`\\rho(x - y, \\alpha, c)` with the gradient derived in the robust-loss chapter."""

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, alpha: float, scale: float) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.alpha, ctx.scale = alpha, scale
        return barron_rho(((input - target) / scale) ** 2, alpha)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        r = input - target
        # psi(r) = d rho / dr = (r / c^2) (z / |alpha - 2| + 1)^(alpha/2 - 1), with z = (r / c)^2
        psi = r / ctx.scale**2 * barron_weight((r / ctx.scale) ** 2, ctx.alpha)
        grad = psi * grad_output
        grad_input = grad if ctx.needs_input_grad[0] else None
        grad_target = -grad if ctx.needs_input_grad[1] else None  # r = x - y, so d/dy = -psi
        return grad_input, grad_target, None, None


def barron_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    alpha: float = 1.0,
    scale: float = 1.0,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Barron's general robust loss: one shape parameter spans L2, Charbonnier, Cauchy, Welsch and more.

    PyTorch has no such loss; this one follows the conventions of
    :func:`torch.nn.functional.huber_loss` (``reduction``, an optional element-wise
    ``weight``, shapes never broadcast). With :math:`r_i = x_i - y_i`, :math:`c` = ``scale``,
    :math:`\alpha` = ``alpha`` and :math:`z_i = (r_i/c)^2`:

    .. math::

        \ell_i = w_i \rho(r_i, \alpha, c), \qquad
        \rho(r, \alpha, c) = \frac{|\alpha - 2|}{\alpha}
        \left[\left(\frac{(r/c)^2}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1\right]

    .. math::

        \frac{\partial \ell_i}{\partial x_i} = -\frac{\partial \ell_i}{\partial y_i}
        = w_i \frac{r_i}{c^2} \left(\frac{z_i}{|\alpha - 2|} + 1\right)^{\alpha/2 - 1}

    Special cases (at :math:`\alpha = 2`, 0 and :math:`-\infty` the formula is a limit, computed
    with its closed form): :math:`\alpha = 2`, L2
    :math:`\tfrac12 (r/c)^2`; :math:`\alpha = 1`, Charbonnier (pseudo-Huber)
    :math:`\sqrt{(r/c)^2 + 1} - 1`; :math:`\alpha = 0`, Cauchy
    :math:`\log(\tfrac12 (r/c)^2 + 1)`; :math:`\alpha = -2`, Geman-McClure
    :math:`2 (r/c)^2 / ((r/c)^2 + 4)`; :math:`\alpha = -\infty`, Welsch
    :math:`1 - \exp(-\tfrac12 (r/c)^2)`.

    ``alpha`` and ``scale`` are numbers, not learned tensors: minimizing :math:`\rho` alone
    over them has no useful optimum (the loss falls as :math:`\alpha` falls or :math:`c`
    grows); the chapter explains why the adaptive version needs a likelihood instead.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        alpha: the shape :math:`\alpha`, a number in :math:`[-\infty, \infty)`, e.g.
            ``float('-inf')`` for Welsch. Values above 2 grow faster than the square.
        scale: the scale :math:`c > 0`, the width of the quadratic bowl around 0.
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
            ``alpha`` or ``scale`` is not a real number.
        ValueError: shapes differ (``weight`` included), ``alpha`` is :math:`+\infty` or NaN, ``scale`` is not in
            :math:`(0, \infty)`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import barron_loss
        >>> r = torch.tensor([0.0, 1.0, 10.0])
        >>> barron_loss(r, torch.zeros(3), alpha=2.0, reduction="none")  # (r/c)^2 / 2
        tensor([ 0.0000,  0.5000, 50.0000])
        >>> barron_loss(r, torch.zeros(3), alpha=0.0, reduction="none")  # log(r^2/2 + 1)
        tensor([0.0000, 0.4055, 3.9318])
        >>> barron_loss(r, torch.zeros(3), alpha=float("-inf"), scale=2.0, reduction="none")
        tensor([0.0000, 0.1175, 1.0000])

    References:
        Barron, *A General and Adaptive Robust Loss Function*, CVPR 2019.
    """
    check_pair("barron_loss", input, target)
    check_number("barron_loss", "alpha", alpha, low=-math.inf, high=math.inf, high_open=True)
    check_number("barron_loss", "scale", scale, low=0, high=math.inf, low_open=True, high_open=True)
    check_reduction("barron_loss", reduction)
    check_optional_weight("barron_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    out = _Barron.apply(x, y, float(alpha), float(scale))
    return reduce(out, reduction, weight=w, dtype=input.dtype, fn="barron_loss")


class BarronLoss(nn.Module):
    """Module form of :func:`barron_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import BarronLoss
        >>> BarronLoss(alpha=1.0, scale=0.5)(torch.tensor([0.0, 1.0]), torch.zeros(2))
        tensor(0.6180)
    """

    def __init__(self, alpha: float = 1.0, scale: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        check_number("BarronLoss", "alpha", alpha, low=-math.inf, high=math.inf, high_open=True)
        check_number("BarronLoss", "scale", scale, low=0, high=math.inf, low_open=True, high_open=True)
        check_reduction("BarronLoss", reduction)
        self.alpha, self.scale, self.reduction = alpha, scale, reduction

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return barron_loss(input, target, alpha=self.alpha, scale=self.scale, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, scale={self.scale}, reduction={self.reduction!r}"
