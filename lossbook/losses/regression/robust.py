"""Barron's general and adaptive robust loss. Chapter: ``book/regression/robust.ipynb``."""

from __future__ import annotations

import math
from numbers import Real

import torch
from torch import nn

from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce, upcast
from lossbook.losses._validation import (
    check_broadcastable,
    check_number,
    check_optional_weight,
    check_pair,
    check_reduction,
    device_assert,
    values_checked,
)

Shape = float | torch.Tensor


def _expm1_ratio(u: torch.Tensor) -> torch.Tensor:
    """:math:`\\phi(u) = \\operatorname{expm1}(u) / u`, with :math:`\\phi(0) = 1`."""
    zero = u == 0
    return torch.where(zero, 1.0, torch.expm1(u) / torch.where(zero, 1.0, u))


def _expm1_ratio_derivative(u: torch.Tensor) -> torch.Tensor:
    """:math:`\\phi'(u) = (u e^u - \\operatorname{expm1} u) / u^2`; its series where that cancels."""
    small = u.abs() < 0.05
    safe = torch.where(small, 1.0, u)
    closed = (safe * torch.exp(safe) - torch.expm1(safe)) / safe**2
    series = 1 / 2 + u * (1 / 3 + u * (1 / 8 + u * (1 / 30 + u * (1 / 144 + u * (1 / 840 + u / 5760)))))
    return torch.where(small, series, closed)


def barron_rho(z: torch.Tensor, alpha: Shape) -> torch.Tensor:
    r"""Barron's loss as a function of the squared scaled residual :math:`z = (r/c)^2`.

    .. math::

        \rho = \frac{|\alpha - 2|}{\alpha}
        \left[\left(\frac{z}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1\right]
        = \frac{b L}{2}\,\phi\!\left(\frac{\alpha L}{2}\right), \qquad
        b = |\alpha - 2|,\ L = \operatorname{log1p}\frac{z}{b},\ \phi(u) = \frac{\operatorname{expm1} u}{u}

    with the limits :math:`z/2` (:math:`\alpha = 2`) and :math:`1 - e^{-z/2}`
    (:math:`\alpha = -\infty`) computed exactly. Both forms keep full precision next to
    :math:`\alpha = 0`, where the plain power form cancels. ``alpha`` is a number (then the
    ``expm1`` form, with the Cauchy loss :math:`\log(1 + z/2)` at 0), or a tensor that
    broadcasts with ``z`` (then the :math:`\phi` form, which needs no division by
    :math:`\alpha` and is exact at 0, since :math:`\phi(0) = 1`).
    """
    if not isinstance(alpha, torch.Tensor):
        if alpha == 2:
            return 0.5 * z
        if alpha == -math.inf:
            return -torch.expm1(-0.5 * z)
        if alpha == 0:
            return torch.log1p(0.5 * z)
        b = abs(alpha - 2)
        return (b / alpha) * torch.expm1((alpha / 2) * torch.log1p(z / b))
    two, welsch = alpha == 2, alpha == -math.inf
    a = torch.where(two | welsch, 0.0, alpha)  # a finite stand-in; those elements take their limit below
    b = (a - 2).abs()
    log1p = torch.log1p(z / b)
    rho = 0.5 * b * log1p * _expm1_ratio(0.5 * a * log1p)
    return torch.where(two, 0.5 * z, torch.where(welsch, -torch.expm1(-0.5 * z), rho))


def barron_weight(z: torch.Tensor, alpha: Shape) -> torch.Tensor:
    r"""The weight :math:`w = \psi(r) / (r / c^2) = 2\,\partial\rho/\partial z` of Barron's loss, a function of :math:`z = (r/c)^2`.

    .. math::

        w = \left(\frac{z}{|\alpha - 2|} + 1\right)^{\alpha/2 - 1},

    with the limits 1 (:math:`\alpha = 2`) and :math:`e^{-z/2}` (:math:`\alpha = -\infty`);
    at :math:`\alpha = 0` the formula holds as it is: :math:`1/(1 + z/2)`. ``alpha`` is a
    number, or a tensor that broadcasts with ``z``.
    """
    if not isinstance(alpha, torch.Tensor):
        if alpha == 2:
            return torch.ones_like(z)
        if alpha == -math.inf:
            return torch.exp(-0.5 * z)
        b = abs(alpha - 2)
        return torch.exp((alpha / 2 - 1) * torch.log1p(z / b))
    two, welsch = alpha == 2, alpha == -math.inf
    a = torch.where(two | welsch, 0.0, alpha)
    w = torch.exp((a / 2 - 1) * torch.log1p(z / (a - 2).abs()))
    return torch.where(two, 1.0, torch.where(welsch, torch.exp(-0.5 * z), w))


def barron_rho_dalpha(z: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    r""":math:`\partial\rho/\partial\alpha` of Barron's loss, a function of :math:`z = (r/c)^2`.

    With :math:`b = |\alpha - 2|`, :math:`s = \operatorname{sign}(\alpha - 2)`,
    :math:`L = \log(1 + z/b)`, :math:`u = \alpha L / 2` and :math:`w` the weight,

    .. math::

        \frac{\partial\rho}{\partial\alpha}
        = \frac{s}{2}\left(L - \frac{z}{b + z}\right)\phi(u)
          + \frac{bL}{2}\,\phi'(u)\left(\frac{L}{2} - \frac{s\,\alpha z}{2b(b + z)}\right)
        = (b + z)\,w\left(\frac{L}{2\alpha} - \frac{\alpha + 2}{2\alpha^2}\right)
          + s\left(\frac{w}{2} - \frac{2}{\alpha^2}\right).

    The first form is used for :math:`|\alpha - 2| \ge 1/2` (it is exact at
    :math:`\alpha = 0`, where it equals :math:`L^2/4 - L/2 + z/(2(2 + z))`), the second near
    :math:`\alpha = 2`, where the first cancels. At :math:`\alpha = 2` the derivative is
    :math:`+\infty` for :math:`z > 0` (it grows like :math:`\tfrac z4 \log(1/|\alpha - 2|)`);
    at :math:`\alpha = -\infty` it is 0; at :math:`z = 0` it is 0.
    """
    two, welsch = alpha == 2, alpha == -math.inf
    near_two = (alpha - 2).abs() < 0.5
    a = torch.where(two | welsch, 1.0, alpha)  # a stand-in away from 0 and 2; those elements are set below
    s, b = torch.sign(a - 2), (a - 2).abs()
    log1p = torch.log1p(z / b)
    u = 0.5 * a * log1p
    far = 0.5 * s * (log1p - z / (b + z)) * _expm1_ratio(u) + 0.5 * b * log1p * _expm1_ratio_derivative(u) * (
        0.5 * log1p - s * a * z / (2 * b * (b + z))
    )
    w = torch.exp((0.5 * a - 1) * log1p)
    a_near = torch.where(near_two, a, 2.5)  # keeps 1/a^2 harmless where this form is not used
    near = (b + z) * w * (log1p / (2 * a_near) - (a_near + 2) / (2 * a_near**2)) + s * (0.5 * w - 2 / a_near**2)
    grad = torch.where(near_two, near, far)
    grad = torch.where(two, torch.where(z > 0, math.inf, 0.0), grad)
    return torch.where(welsch | (z == 0), 0.0, grad)


def _sum_to(grad: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Sum a gradient over the dimensions that ``like`` was broadcast along."""
    return grad.sum_to_size(like.shape) if grad.shape != like.shape else grad


class _Barron(torch.autograd.Function):
    r""":math:`\rho(x - y, \alpha, c)`, weighted and reduced inside the Function, with the gradients derived in the robust-loss chapter.

    ``alpha`` and ``scale`` are numbers (no gradient) or tensors that broadcast to the input.
    With numbers, the forward keeps :math:`L = \log(1 + z/|\alpha - 2|)` for the backward
    (one tensor, cheaper to keep than its logarithm is to recompute) and the backward makes
    the weight from it with one ``exp``; the reduction's scale multiplies in place.
    """

    @staticmethod
    def forward(ctx, input, target, alpha, scale, weight, reduction):
        ctx.reduction, ctx.alpha, ctx.scale = reduction, alpha, scale
        tensors = isinstance(alpha, torch.Tensor) or isinstance(scale, torch.Tensor)
        if tensors:
            ctx.save_for_backward(input, target, weight, *(p for p in (alpha, scale) if isinstance(p, torch.Tensor)))
            ctx.alpha, ctx.scale = (None if isinstance(p, torch.Tensor) else p for p in (alpha, scale))
            return reduce(barron_rho(((input - target) / scale) ** 2, alpha), reduction, weight=weight)
        u = (input - target).square_()  # r^2, a tensor this Function owns
        if alpha == 2 or alpha == -math.inf:
            ctx.save_for_backward(input, target, weight)
            rho = u.mul_(0.5 / scale**2) if alpha == 2 else u.mul_(-0.5 / scale**2).expm1_().neg_()
            return reduce(rho, reduction, weight=weight)
        b = abs(alpha - 2)
        log1p = u.mul_(1 / (scale**2 * b)).log1p_()  # L = log(1 + z / b), z = (r / c)^2, kept for the weight
        ctx.save_for_backward(input, target, weight, log1p)
        if alpha == 0:
            return reduce(log1p, reduction, weight=weight)
        rho = torch.expm1(log1p * (alpha / 2))
        if reduction == "none" or weight is not None:
            return reduce(rho.mul_(b / alpha), reduction, weight=weight)
        return reduce(rho, reduction).mul_(b / alpha)  # the constant factor after the sum: one pass fewer

    @staticmethod
    def backward(ctx, grad_output):
        input, target, weight, *saved = ctx.saved_tensors
        scale_g = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight)
        r = input - target
        grad_alpha = grad_scale_param = None
        if ctx.alpha is None or ctx.scale is None or torch.is_grad_enabled():
            # tensor parameters, or create_graph=True: the general formulas, which autograd can
            # differentiate again (the fast path below uses L, saved without a graph)
            alpha = ctx.alpha if ctx.alpha is not None else saved.pop(0)
            scale = ctx.scale if ctx.scale is not None else saved.pop(0)
            z = (r / scale) ** 2
            # psi(r) = d rho / dr = (r / c^2) w, with w = (z / |alpha - 2| + 1)^(alpha/2 - 1)
            psi = r / scale**2 * barron_weight(z, alpha) * scale_g
            if ctx.needs_input_grad[2]:
                grad_alpha = _sum_to(barron_rho_dalpha(z, alpha) * scale_g, alpha)
            if ctx.needs_input_grad[3]:
                grad_scale_param = _sum_to(-(r / scale) * psi, scale)  # d rho / dc = -(z / c) w = -(r / c) psi
            return *pair_grads(ctx.needs_input_grad, psi), grad_alpha, grad_scale_param, None, None
        alpha, c = ctx.alpha, ctx.scale
        if alpha == 2:  # w = 1
            grad = r.mul_(scale_g / c**2)
        elif alpha == -math.inf:  # w = exp(-z/2)
            grad = exp_((r / c).square_().mul_(-0.5)).mul_(r).mul_(scale_g / c**2)
        else:  # w = exp((alpha/2 - 1) L)
            grad = exp_(saved[0] * (alpha / 2 - 1)).mul_(r).mul_(scale_g / c**2)
        return *pair_grads(ctx.needs_input_grad, grad), None, None, None, None


def _check_parameter(fn: str, name: str, value, input: torch.Tensor, *, positive: bool) -> Shape:
    """``alpha`` or ``scale``: a number, or a floating tensor that broadcasts to the input's shape."""
    if not isinstance(value, torch.Tensor):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{fn}: {name} must be a real number or a floating-point tensor, got {type(value).__name__}")
        if positive:
            check_number(fn, name, value, low=0, high=math.inf, low_open=True, high_open=True)
        else:
            check_number(fn, name, value, low=-math.inf, high=math.inf, high_open=True)
        return float(value)
    check_broadcastable(fn, name, value, input)  # a floating tensor, e.g. () or (D,) for an (N, D) input
    if values_checked(value):  # see _validation: a ValueError on the CPU, a device-side assert elsewhere
        v = value.detach()
        bad = ~((v > 0) & (v < math.inf)) if positive else ~(v < math.inf)
        expected = "(0, inf)" if positive else "[-inf, inf)"
        if v.device.type != "cpu":
            device_assert(~bad.any(), f"{fn}: {name} values must be in {expected}")
        elif bad.any():
            raise ValueError(f"{fn}: {name} values must be in {expected}, got {v[bad][0].item()}")
    return value


def barron_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    alpha: float | torch.Tensor = 1.0,
    scale: float | torch.Tensor = 1.0,
    reduction: str = "mean",
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Barron's general robust loss: one shape parameter spans L2, Charbonnier, Cauchy, Welsch and more.

    PyTorch has no such loss; this one follows the conventions of
    :func:`torch.nn.functional.huber_loss` (``reduction``, an optional element-wise
    ``weight``, shapes never broadcast silently). With :math:`r_i = x_i - y_i`, :math:`c` = ``scale``,
    :math:`\alpha` = ``alpha`` and :math:`z_i = (r_i/c)^2`:

    .. math::

        \ell_i = w_i \rho(r_i, \alpha, c), \qquad
        \rho(r, \alpha, c) = \frac{|\alpha - 2|}{\alpha}
        \left[\left(\frac{(r/c)^2}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1\right]

    .. math::

        \frac{\partial \ell_i}{\partial x_i} = -\frac{\partial \ell_i}{\partial y_i}
        = w_i \frac{r_i}{c^2} \left(\frac{z_i}{|\alpha - 2|} + 1\right)^{\alpha/2 - 1}, \qquad
        \frac{\partial \ell_i}{\partial c} = -\frac{r_i}{c}\,\frac{\partial \ell_i}{\partial x_i}

    and :math:`\partial\rho/\partial\alpha` as in ``lossbook.losses.regression.robust.barron_rho_dalpha`` (the chapter
    derives it); a broadcast ``alpha`` or ``scale`` gets the sum of its elements' gradients.

    Special cases (at :math:`\alpha = 2`, 0 and :math:`-\infty` the formula is a limit, computed
    exactly): :math:`\alpha = 2`, L2
    :math:`\tfrac12 (r/c)^2`; :math:`\alpha = 1`, Charbonnier (pseudo-Huber)
    :math:`\sqrt{(r/c)^2 + 1} - 1`; :math:`\alpha = 0`, Cauchy
    :math:`\log(\tfrac12 (r/c)^2 + 1)`; :math:`\alpha = -2`, Geman-McClure
    :math:`2 (r/c)^2 / ((r/c)^2 + 4)`; :math:`\alpha = -\infty`, Welsch
    :math:`1 - \exp(-\tfrac12 (r/c)^2)`.

    Minimizing :math:`\rho` alone over a learned ``alpha`` or ``scale`` has no useful
    optimum (the loss falls as :math:`\alpha` falls or :math:`c` grows): learn them with
    the negative log-likelihood :math:`\rho + \log c + \log Z(\alpha)`, as the chapter does.
    :math:`\partial\rho/\partial\alpha` is infinite at :math:`\alpha = 2`: keep a learned
    :math:`\alpha` inside an interval such as :math:`[0.001, 1.999]`.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        alpha: the shape :math:`\alpha`, in :math:`[-\infty, \infty)`: a number (e.g.
            ``float('-inf')`` for Welsch), or a floating-point tensor, differentiable, whose
            shape broadcasts to the input's without enlarging it (a 0-d tensor, one value per
            column ``(D,)`` for an input ``(N, D)``, or the input's shape). Values above 2 grow
            faster than the square.
        scale: the scale :math:`c > 0`, the width of the quadratic bowl around 0: a number,
            or a tensor with the same shape rule as ``alpha``.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        weight: optional per-element weights :math:`w`, the same shape as ``input``;
            ``'mean'`` then divides by :math:`\sum_i w_i`.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - alpha, scale: a number, or a tensor that broadcasts to :math:`(*)` (e.g. :math:`()`).
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input``, ``target``, ``weight`` or a tensor ``alpha``/``scale`` is not
            floating-point, or ``alpha`` or ``scale`` is neither a real number nor a tensor.
        ValueError: shapes differ (``weight`` included), a tensor ``alpha`` or ``scale`` does
            not broadcast to the input's shape, ``alpha`` is :math:`+\infty` or NaN, ``scale``
            is not in :math:`(0, \infty)` (the values of tensors are checked on the CPU only:
            on an accelerator the check would wait for the device), or ``reduction`` is not
            one of the three values.

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
        >>> alpha, scale = torch.tensor(1.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
        >>> barron_loss(r, torch.zeros(3), alpha=alpha, scale=scale, reduction="sum").backward()
        >>> round(alpha.grad.item(), 4), round(scale.grad.item(), 4)
        (2.5604, -2.5633)

    References:
        Barron, *A General and Adaptive Robust Loss Function*, CVPR 2019.

    Chapter: ``book/regression/robust.ipynb``.
    """
    check_pair("barron_loss", input, target)
    alpha = _check_parameter("barron_loss", "alpha", alpha, input, positive=False)
    scale = _check_parameter("barron_loss", "scale", scale, input, positive=True)
    check_reduction("barron_loss", reduction)
    check_optional_weight("barron_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    alpha, scale = (p.to(x.dtype) if isinstance(p, torch.Tensor) else p for p in (alpha, scale))
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        return reduce(_Barron.apply(x, y, alpha, scale, None, "none"), reduction, weight=w, dtype=input.dtype)
    return _Barron.apply(x, y, alpha, scale, w, reduction).to(input.dtype)


class BarronLoss(_Loss):
    """Module form of :func:`barron_loss`.

    ``alpha`` and ``scale`` may be tensors: an ``nn.Parameter`` is a parameter of the module
    (learned with it), any other tensor a buffer.

    Example:
        >>> import torch
        >>> from lossbook.losses import BarronLoss
        >>> BarronLoss(alpha=1.0, scale=0.5)(torch.tensor([0.0, 1.0]), torch.zeros(2))
        tensor(0.6180)
    """

    def __init__(self, alpha: float | torch.Tensor = 1.0, scale: float | torch.Tensor = 1.0, reduction: str = "mean") -> None:
        options = {"alpha": alpha, "scale": scale}
        for name, positive in (("alpha", False), ("scale", True)):  # a tensor's shape is checked against the input, later
            value = options[name]
            _check_parameter("BarronLoss", name, value, value if isinstance(value, torch.Tensor) else torch.empty(0), positive=positive)
        learned = {k: v for k, v in options.items() if isinstance(v, nn.Parameter)}
        super().__init__(reduction, **{k: v for k, v in options.items() if k not in learned})
        for name, value in learned.items():
            setattr(self, name, value)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return barron_loss(input, target, alpha=self.alpha, scale=self.scale, reduction=self.reduction)
