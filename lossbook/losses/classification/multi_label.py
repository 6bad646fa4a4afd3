"""Asymmetric loss for multi-label classification. Chapter: ``book/classification/multi-label.ipynb``.

Multi-label classification is one binary problem per label (per-label binary
cross-entropy); the asymmetric loss (ASL) treats the positive and the negative labels of
that problem differently.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, scale_grads, upcast
from lossbook.losses._validation import check_in_interval, check_number, check_pair, check_reduction


def _power(log_base: torch.Tensor, exponent: float) -> torch.Tensor:
    """``base ** exponent`` from ``log(base)``; exactly 1 for ``exponent == 0``."""
    return torch.ones_like(log_base) if exponent == 0 else torch.exp(exponent * log_base)


def _step(u: torch.Tensor) -> torch.Tensor:
    """1 where ``u > 0``, 0 where ``u < 0`` (1/2 at 0), as floats: arithmetic, not a select, which is far slower on the CPU."""
    return u.sign().add_(1).mul_(0.5)


class _Asymmetric(torch.autograd.Function):
    r""":math:`t\,\ell_+(x) + (1 - t)\,\ell_-(x)`, reduced inside, with the chapter's gradient computed in the forward.

    :math:`\ell_+ = -(1 - p)^{\gamma_+} \log p` and
    :math:`\ell_- = -p_m^{\gamma_-} \log(1 - p_m)`, :math:`p = \sigma(x)`,
    :math:`p_m = \max(p - m, 0)`. Logs come from :math:`\log\sigma(\pm x)` and
    :math:`\log(1 - p_m) = \log(\sigma(-x) + m)` (a sum of positive terms, where :math:`p > m`),
    so nothing overflows at saturated logits; the forms are combined with arithmetic, not a
    select, which over every element is far slower on the CPU. At the kink :math:`p = m` the gradient of :math:`\ell_-` is
    taken as 0, the derivative of the flat side (as ``relu``'s at 0). The forward computes
    these parts once, and with them the per-element gradient, which it keeps; the backward
    only multiplies it by the reduction's scale.
    """

    @staticmethod
    def _parts(x: torch.Tensor, gamma_pos: float, gamma_neg: float, clip: float):
        log_p, log_1mp = F.logsigmoid(x), F.logsigmoid(-x)
        loss_pos = _power(log_1mp, gamma_pos) * -log_p  # -(1 - p)^gamma_pos log p
        p, one_minus_p = torch.sigmoid(x), torch.sigmoid(-x)
        p_m = (p - clip).clamp_min_(0)  # shifted probability
        # log(1 - p_m) = log((1 - p) + m), a sum of positive terms, where p > m
        log_1mpm = (one_minus_p + clip).log_() if clip > 0 else log_1mp
        # -log(1 - p_m): log1p where p_m < 1/2 (accurate near the kink, and 0 where p <= m), the log form beyond
        near = torch.log1p(-p_m.clamp_max(0.5)).neg_()
        nll_neg = torch.lerp(near, log_1mpm.neg(), _step(p_m - 0.5))
        pm_pow = p_m.square().square_() if gamma_neg == 4 else p_m**gamma_neg  # p_m >= 0: 0 ** gamma_neg = 0
        loss_neg = pm_pow * nll_neg
        return log_p, log_1mp, p, one_minus_p, loss_pos, p_m, log_1mpm, nll_neg, pm_pow, loss_neg

    @staticmethod
    def forward(ctx, input, target, gamma_pos, gamma_neg, clip, reduction):
        x, t = input, target
        parts = _Asymmetric._parts(x, gamma_pos, gamma_neg, clip)
        log_p, log_1mp, p, one_minus_p, loss_pos, p_m, log_1mpm, nll_neg, pm_pow, loss_neg = parts
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:  # the gradient is computed here, from the parts at hand; backward scales it
            # d l+/dx = -(1 - p)^gamma_pos [(1 - p) + gamma_pos p (-log p)]
            d_pos = (p * -log_p).mul_(gamma_pos).add_(one_minus_p).mul_(_power(log_1mp, gamma_pos)).neg_()
            # d l-/dx = p_m^gamma_neg [gamma_neg p (1 - p) rho + p (1 - p)/(1 - p_m)] for p > m, else 0,
            # rho = -log(1 - p_m)/p_m (-> 1 as p_m -> 0), (1 - p)/(1 - p_m) = exp(log(1 - p) - log(1 - p_m))
            tiny = torch.finfo(x.dtype).tiny
            rho = (nll_neg + tiny).div_(p_m + tiny)  # -> 1 as p_m -> 0, and 1 where p_m = 0
            d_neg = (p * one_minus_p).mul_(rho).mul_(gamma_neg).add_(exp_(log_1mp - log_1mpm).mul_(p)).mul_(pm_pow)
            if gamma_neg == 0:  # p_m^0 = 1 does not zero the flat side p <= m (the kink p = m included): the step does
                d_neg.mul_(p_m.sign())  # p_m >= 0: 1 where p > m, else 0
            grad_input = d_pos.sub_(d_neg).mul_(t).add_(d_neg)  # t d+ + (1 - t) d-
        loss = (loss_pos - loss_neg).mul_(t).add_(loss_neg)  # t l+ + (1 - t) l-
        if ctx.needs_input_grad[1]:
            grad_target = loss_pos.sub_(loss_neg)
        ctx.save_for_backward(grad_input, grad_target)
        ctx.reduction, ctx.shape = reduction, x.shape
        return reduce(loss, reduction)

    @staticmethod
    @first_order("asymmetric_loss")
    def backward(ctx, grad_output):
        grad_input, grad_target = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, ctx.shape)
        return *scale_grads(s, grad_input, grad_target), None, None, None, None


def asymmetric_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma_pos: float = 0.0,
    gamma_neg: float = 4.0,
    clip: float = 0.05,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Asymmetric loss (ASL) of multi-label logits (Ridnik et al., 2021).

    .. math::

        p = \sigma(x), \quad p_m = \max(p - m, 0), \qquad
        \ell = t\,\ell_+ + (1 - t)\,\ell_-, \\
        \ell_+ = -(1 - p)^{\gamma_+} \log p, \qquad
        \ell_- = -p_m^{\gamma_-} \log(1 - p_m), \\
        \frac{\partial \ell_+}{\partial x} = -(1 - p)^{\gamma_+}\big[(1 - p) - \gamma_+\, p \log p\big], \\
        \frac{\partial \ell_-}{\partial x} = [p > m]\; p_m^{\gamma_-}\, p (1 - p)
            \Big[\frac{-\gamma_- \log(1 - p_m)}{p_m} + \frac{1}{1 - p_m}\Big]

    Positives are focused with :math:`\gamma_+`, negatives with a larger :math:`\gamma_-`,
    and the probability shift (the margin :math:`m`, ``clip``) gives zero loss and gradient
    to negatives with :math:`p \le m`. At the kink :math:`p = m` the gradient is taken from
    the flat side, 0; for :math:`\gamma_- > 0` both sides agree there. With
    ``gamma_pos=gamma_neg=clip=0`` it is binary cross-entropy with logits. A soft target
    :math:`t \in [0, 1]` mixes the two parts linearly (the reference implementation, which
    mixes the focusing exponents instead, agrees with it on 0/1 targets); its gradient is
    :math:`\ell_+ - \ell_-`.

    Unlike the paper's reference code, whose default treats the focusing weights as
    constants in backpropagation, the gradient here is the exact derivative of the loss.

    Args:
        input: logits :math:`x`, any floating-point tensor, typically :math:`(N, L)` for
            :math:`L` labels.
        target: targets :math:`t` in :math:`[0, 1]` (1 if the label applies), the shape of ``input``.
        gamma_pos: focusing exponent of the positives, :math:`\gamma_+ \ge 0`.
        gamma_neg: focusing exponent of the negatives, :math:`\gamma_- \ge 0`.
        clip: the probability margin :math:`m \in [0, 1)`.
        reduction: ``'none'`` | ``'mean'`` (over all elements, labels included) | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor, or an option is not a number.
        ValueError: shapes differ, ``target`` is outside :math:`[0, 1]`, a focusing exponent is
            negative, ``clip`` is outside :math:`[0, 1)`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import asymmetric_loss
        >>> x, t = torch.tensor([[2.0, -1.0, 1.0, -3.0]]), torch.tensor([[1.0, 0.0, 0.0, 0.0]])
        >>> asymmetric_loss(x, t, reduction="none")
        tensor([[0.1269, 0.0006, 0.2459, 0.0000]])

    References:
        Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter and Zelnik-Manor, *Asymmetric Loss
        For Multi-Label Classification*, ICCV 2021.

    Chapter: ``book/classification/multi-label.ipynb``.
    """
    fn = "asymmetric_loss"
    check_pair(fn, input, target)
    check_reduction(fn, reduction)
    check_number(fn, "gamma_pos", gamma_pos, low=0.0)
    check_number(fn, "gamma_neg", gamma_neg, low=0.0)
    check_number(fn, "clip", clip, low=0.0, high=1.0, high_open=True)
    check_in_interval(fn, "target", target)
    x, t = upcast(input, target)
    out = _Asymmetric.apply(x, t, float(gamma_pos), float(gamma_neg), float(clip), reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


class AsymmetricLoss(_Loss):
    """Module form of :func:`asymmetric_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import AsymmetricLoss
        >>> AsymmetricLoss(clip=0.0)(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))
        tensor(0.0643)
    """

    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05, reduction: str = "mean") -> None:
        check_number("AsymmetricLoss", "gamma_pos", gamma_pos, low=0.0)
        check_number("AsymmetricLoss", "gamma_neg", gamma_neg, low=0.0)
        check_number("AsymmetricLoss", "clip", clip, low=0.0, high=1.0, high_open=True)
        super().__init__(reduction, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return asymmetric_loss(
            input, target, gamma_pos=self.gamma_pos, gamma_neg=self.gamma_neg, clip=self.clip, reduction=self.reduction
        )
