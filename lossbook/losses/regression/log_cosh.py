"""Log-cosh loss. Chapter: ``book/regression/log-cosh.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce, upcast
from lossbook.losses._validation import check_number, check_optional_weight, check_pair, check_reduction

_FAR = 20.0  # beyond |r| = 20, log cosh r = |r| - log 2 + log(1 + e^(-2|r|)), and e^(-40) is below rounding


def log_cosh_sinh_(r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Element-wise :math:`\log\cosh r` and :math:`\sinh c`, :math:`c = \operatorname{clamp}(r, -20, 20)`, from ``r`` (overwritten).

    :math:`\log\cosh r` is finite for every finite ``r`` and accurate near 0. Two exact forms,
    each used where it is accurate to rounding (derived in the chapter):

    .. math::

        \log\cosh r = \tfrac12 \log\!\left(1 + \sinh^2 r\right) \quad (|r| < 20), \qquad
        \log\cosh r = |r| - \log 2 \quad (|r| \ge 20).

    The first (from :math:`\cosh^2 r = 1 + \sinh^2 r`, computed with ``log1p``) has no
    cancellation near 0, where the loss is about :math:`r^2/2`; it would overflow with
    :math:`\sinh r` for large :math:`|r|`, where the second is exact up to
    :math:`\log(1 + e^{-2|r|}) < e^{-40}`, below the rounding of float64. Both are one
    expression, with no branch: :math:`\log\cosh r = \tfrac12 \log(1 + \sinh^2 c) + (|r| - |c|)`,
    since beyond 20 the first term is :math:`20 - \log 2` (arithmetic, because a select such
    as ``torch.where`` over a large tensor costs many times an arithmetic pass on the CPU).
    :math:`\sinh c` is returned too: the gradient :math:`\tanh r = \sinh c / \sqrt{1 + \sinh^2 c}`
    follows from it (to rounding beyond 20, where both are :math:`\pm 1`).
    """
    sinh = r.clamp(-_FAR, _FAR).sinh_()  # sinh c, with the sign of r
    excess = r.abs_().sub_(_FAR).clamp_min_(0)  # |r| - |c|: 0 within 20
    return (sinh * sinh).log1p_().mul_(0.5).add_(excess), sinh


def log_cosh(r: torch.Tensor) -> torch.Tensor:
    r"""Element-wise :math:`\log\cosh r` (see :func:`log_cosh_sinh_`), leaving ``r`` unchanged."""
    return log_cosh_sinh_(r.clone())[0]


class _LogCosh(torch.autograd.Function):
    r""":math:`\delta^2 \log\cosh((x - y)/\delta)`, weighted and reduced inside the Function.

    The gradient derived in the log-cosh chapter is :math:`\delta \tanh(r)` with
    :math:`r = (x - y)/\delta`. The forward keeps :math:`\sinh c` (:math:`c` = :math:`r` clipped at
    :math:`\pm 20`), which it computes anyway, and the backward forms
    :math:`\tanh r = \sinh c / \sqrt{1 + \sinh^2 c}` from it with arithmetic and a reciprocal
    square root, scaled in place by the reduction's scale: on the CPU ``torch.tanh`` costs several
    times as much. Under ``create_graph=True`` the backward computes ``tanh`` from the saved
    input and target with differentiable operations instead, so that second derivatives are
    exact. For ``'mean'`` and ``'sum'`` no per-element loss is kept.
    """

    @staticmethod
    def forward(ctx, input, target, delta, weight, reduction):
        z = input - target
        if delta != 1.0:
            z.div_(delta)
        value, sinh = log_cosh_sinh_(z)
        ctx.save_for_backward(input, target, sinh, weight)
        ctx.delta, ctx.reduction = delta, reduction
        loss = reduce(value, reduction, weight=weight)
        # times delta twice, not delta**2: delta**2 can overflow (or underflow) float32 while the loss does not
        return loss if delta == 1.0 else loss.mul_(delta).mul_(delta)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, sinh, weight = ctx.saved_tensors
        delta = ctx.delta
        scale = grad_scale(grad_output, ctx.reduction, input.shape, weight=weight, factor=delta)
        # d/dx delta^2 log cosh((x - y)/delta) = delta tanh((x - y)/delta)
        if torch.is_grad_enabled():  # create_graph=True: tanh of the residual, for autograd to differentiate
            grad = ((input - target) / delta).tanh() * scale
        else:  # tanh = sinh / cosh, and cosh = sqrt(1 + sinh^2)
            grad = torch.mul(sinh, sinh).add_(1).rsqrt_().mul_(sinh).mul_(scale)
        return *pair_grads(ctx.needs_input_grad, grad), None, None, None  # d/dy = -d/dx


def log_cosh_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Log-cosh loss with scale ``delta``: quadratic within about ``delta`` of the target, linear beyond.

    PyTorch has no log-cosh loss. The signature is that of
    :func:`torch.nn.functional.huber_loss` (``reduction``, then the scale ``delta``, then an
    element-wise ``weight``), but the weighted ``'mean'`` divides by :math:`\sum_i w_i`, as
    :func:`~lossbook.losses.mse_loss` does (``huber_loss`` divides by the number of
    elements), and shapes that differ raise instead of being broadcast.

    .. math::

        \ell_i = w_i\, \delta^2 \log\cosh\frac{x_i - y_i}{\delta}, \qquad
        \frac{\partial \ell_i}{\partial x_i} = w_i\, \delta \tanh\frac{x_i - y_i}{\delta}
        = -\frac{\partial \ell_i}{\partial y_i}

    with :math:`w_i = 1` when no ``weight`` is given. With :math:`r = x - y`, the loss is
    about :math:`r^2/2` for :math:`|r| \ll \delta` and :math:`\delta |r| - \delta^2 \log 2`
    for :math:`|r| \gg \delta`: a smooth Huber loss with threshold :math:`\delta`. It is the
    negative log-likelihood (up to a constant and the factor :math:`\delta^2`) of hyperbolic
    secant noise with standard deviation :math:`\pi\delta/2`. ``delta=1`` is the plain
    :math:`\log\cosh r`. The value is computed without overflow for any finite residual.

    Args:
        input: predictions :math:`x`, any floating-point tensor.
        target: targets :math:`y`, the same shape as ``input`` (never broadcast).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        delta: the scale :math:`\delta`, a positive finite number, in the units of the
            residual: where the loss turns from quadratic to linear.
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
            ``delta`` is not a real number.
        ValueError: shapes differ (``weight`` included), ``reduction`` is not one of the
            three values, or ``delta`` is not in :math:`(0, \infty)`.

    Example:
        >>> import torch
        >>> from lossbook.losses import log_cosh_loss
        >>> log_cosh_loss(torch.tensor([0.0, 1.0, 1e4]), torch.zeros(3), reduction="none")
        tensor([0.0000e+00, 4.3378e-01, 9.9993e+03])
        >>> log_cosh_loss(torch.tensor([1.0, -2.0]), torch.tensor([0.0, 0.0]))
        tensor(0.8794)
        >>> log_cosh_loss(torch.tensor([0.5, 30.0]), torch.zeros(2), reduction="none", delta=10.0)
        tensor([1.2495e-01, 2.3093e+02])

    References:
        Saleh and Saleh, *Statistical properties of the log-cosh loss function used in
        machine learning*, arXiv:2208.04564 (2022).

    Chapter: ``book/regression/log-cosh.ipynb``.
    """
    check_pair("log_cosh_loss", input, target)
    check_reduction("log_cosh_loss", reduction)
    check_number("log_cosh_loss", "delta", delta, low=0, low_open=True, high_open=True)
    check_optional_weight("log_cosh_loss", weight, input)
    x, y, w = upcast(input, target, weight)
    delta = float(delta)
    if w is not None and w.requires_grad:  # a learned weight: autograd differentiates the weighting
        return reduce(_LogCosh.apply(x, y, delta, None, "none"), reduction, weight=w, dtype=input.dtype)
    return _LogCosh.apply(x, y, delta, w, reduction).to(input.dtype)


class LogCoshLoss(_Loss):
    """Module form of :func:`log_cosh_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import LogCoshLoss
        >>> LogCoshLoss(reduction="sum")(torch.tensor([1.0, -2.0]), torch.zeros(2))
        tensor(1.7588)
        >>> LogCoshLoss(delta=0.5)
        LogCoshLoss(reduction='mean', delta=0.5)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        check_number("LogCoshLoss", "delta", delta, low=0, low_open=True, high_open=True)
        super().__init__(reduction, delta=delta)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return log_cosh_loss(input, target, reduction=self.reduction, delta=self.delta)
