"""Likelihood losses for regression: Gaussian (mean and variance), beta-NLL, Student-t and Poisson (counts).

Chapter: ``book/regression/probabilistic.ipynb``; ``student_t_nll_loss`` is taught in
``book/regression/choosing.ipynb``, whose experiment it enters.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, pair_grads, reduce
from lossbook.losses._validation import (
    check_broadcast_shape,
    check_in_interval,
    check_number,
    check_pair,
    check_reduction,
    check_same_device,
    check_tensor,
)

_HALF = (torch.float16, torch.bfloat16)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """Half-precision losses are computed in float32 and cast back by ``reduce``."""
    return torch.float32 if dtype in _HALF else dtype


class _GaussianNLL(torch.autograd.Function):
    r""":math:`\tfrac12(\log v + (\mu - y)^2 / v)` with ``v = max(var, eps)``, reduced inside the Function.

    The gradient is the one derived in the chapter, evaluated at the clamped variance, times the
    reduction's scale. As in PyTorch, the clamp itself is not differentiated: the variance's
    gradient passes through it. For ``'mean'`` and ``'sum'`` no per-element loss is kept.
    """

    @staticmethod
    def forward(ctx, input, target, var, eps, reduction, const):
        ctx.save_for_backward(input, target, var)
        ctx.eps, ctx.reduction = eps, reduction
        v = var.clamp(min=eps)
        loss = torch.addcdiv(v.log(), (input - target).square_(), v)  # log v + r^2 / v
        loss = loss.mul_(0.5).add_(const) if const else loss.mul_(0.5)
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, var = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape)
        w = var.clamp(min=ctx.eps).reciprocal_()  # 1 / v
        z = (input - target).mul_(w)  # d/dmu = (mu - y) / v
        grad_var = None
        if ctx.needs_input_grad[2]:
            # d/dv = (1/v - (mu - y)^2 / v^2) / 2 = (w - z^2) / 2
            grad_var = torch.addcmul(w, z, z, value=-1.0).mul_(scale * 0.5)
        grad_input, grad_target = pair_grads(ctx.needs_input_grad, z * scale) if any(ctx.needs_input_grad[:2]) else (None, None)
        return grad_input, grad_target, grad_var, None, None, None


def _gaussian_var(var, input: torch.Tensor, fn: str = "gaussian_nll_loss", name: str = "var", what: str = "a variance") -> torch.Tensor:
    """Validate ``var`` (or a scale) and bring it to the input's number of dimensions, as PyTorch does."""
    if isinstance(var, Real) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{fn}: {name} must be non-negative (it is {what}), got {var}")
        return torch.full((), float(var), dtype=input.dtype, device=input.device).expand(input.shape)
    check_tensor(fn, name, var)
    check_same_device(fn, name, var, input)
    check_in_interval(fn, name, var.detach(), 0.0, math.inf)  # a value check: no host sync on accelerators
    if var.shape != input.shape and input.dim() > 0 and var.shape == input.shape[:-1]:
        var = var.unsqueeze(-1)  # one fewer dimension: one variance per row of the last dimension
    check_broadcast_shape(fn, name, var, input, same_ndim=True)
    return var


def _check_gaussian_args(fn: str, input, target, var, eps, reduction, name: str = "var", what: str = "a variance"):
    """The arguments shared by the Gaussian, beta and Student-t NLLs; returns them in the compute dtype, expanded."""
    check_tensor(fn, "input", input)
    check_tensor(fn, "target", target)
    check_same_device(fn, "target", target, input)
    var = _gaussian_var(var, input, fn, name, what)
    check_broadcast_shape(fn, "target", target, input)
    check_number(fn, "eps", eps, low=0.0)
    check_reduction(fn, reduction)
    out_dtype = torch.promote_types(torch.promote_types(input.dtype, target.dtype), var.dtype)
    dtype = _compute_dtype(out_dtype)
    x, y, v = (t if t.dtype == dtype else t.to(dtype) for t in (input, target, var))
    shape = x.shape
    return x, (y if y.shape == shape else y.expand(shape)), (v if v.shape == shape else v.expand(shape)), out_dtype


def _cast(loss: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The result in the dtype the arguments promote to (half precision was computed in float32)."""
    return loss if loss.dtype == dtype else loss.to(dtype)


def gaussian_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    var: torch.Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Gaussian negative log-likelihood of ``target`` given a mean and a variance; mirrors :func:`torch.nn.functional.gaussian_nll_loss`.

    With :math:`v_i = \max(\mathrm{var}_i, \varepsilon)`,

    .. math::

        \ell_i = \frac{1}{2}\left(\log v_i + \frac{(\mu_i - y_i)^2}{v_i}\right)
            \; \left[+ \tfrac{1}{2}\log 2\pi \text{ if full}\right], \qquad
        \frac{\partial \ell_i}{\partial \mu_i} = \frac{\mu_i - y_i}{v_i} = -\frac{\partial \ell_i}{\partial y_i}, \qquad
        \frac{\partial \ell_i}{\partial v_i} = \frac{v_i - (\mu_i - y_i)^2}{2 v_i^2} .

    As in PyTorch, the clamp to ``eps`` is not differentiated: below ``eps`` the variance
    still receives the gradient above, evaluated at ``eps``. A variance shared by several
    elements (broadcast) receives the sum of their gradients.

    Args:
        input: the predicted means :math:`\mu`, a floating-point tensor.
        target: the observations :math:`y`.
        var: the predicted variances (non-negative), a tensor (see Shape) or a number.
        full: add the constant :math:`\frac12 \log 2\pi`, making the loss the exact negative
            log-density.
        eps: variances are clamped to at least ``eps``, for stability.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: the input's shape, or that shape with one dimension of size 1 (a missing
          leading dimension counts as one, as in broadcasting), as PyTorch documents.
        - var: the input's shape (heteroscedastic), that shape with one dimension of size 1,
          or that shape without its last dimension (homoscedastic along it), or a number.
        - output: a scalar, or the input's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype the arguments promote to (float16/bfloat16 computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``var`` is not a floating-point tensor (``var`` may
            be a number).
        ValueError: a shape outside the ones above, a negative variance, a negative ``eps``,
            or an unknown ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import gaussian_nll_loss
        >>> mu, y = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0])
        >>> gaussian_nll_loss(mu, y, torch.tensor([1.0, 4.0]), reduction="none")  # (0 + 1) / 2, (log 4 + 0) / 2
        tensor([0.5000, 0.6931])
        >>> gaussian_nll_loss(mu, y, 1.0, full=True)  # (0.5 + 0) / 2 + log(2 pi) / 2
        tensor(1.1689)

    References:
        Nix and Weigend, *Estimating the mean and variance of the target probability
        distribution*, ICNN 1994. Kendall and Gal, *What uncertainties do we need in Bayesian
        deep learning for computer vision?*, NeurIPS 2017.
    """
    fn = "gaussian_nll_loss"
    x, y, v, out_dtype = _check_gaussian_args(fn, input, target, var, eps, reduction)
    return _cast(_GaussianNLL.apply(x, y, v, float(eps), reduction, _HALF_LOG_2PI if full else 0.0), out_dtype)


class _PoissonNLL(torch.autograd.Function):
    """Poisson negative log-likelihood, reduced inside the Function, with the gradient derived in the chapter."""

    @staticmethod
    def forward(ctx, input, target, log_input, full, eps, reduction):
        ctx.save_for_backward(input, target)
        ctx.log_input, ctx.full, ctx.eps, ctx.reduction = log_input, full, eps, reduction
        if log_input:  # input is the log-rate eta: exp(eta) - y eta
            loss = torch.exp(input).sub_(target * input)
        else:  # input is the rate lambda: lambda - y log(lambda + eps)
            loss = torch.log(input + eps).mul_(target).neg_().add_(input)
        if full:  # Stirling's log y! ~ y log y - y + log(2 pi y) / 2, added where y > 1 only
            big = target > 1
            t = torch.where(big, target, torch.ones_like(target))
            stirling = t * torch.log(t) - t + 0.5 * torch.log(2 * math.pi * t)
            loss = loss.add_(stirling.masked_fill_(~big, 0.0))
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/deta = exp(eta) - y (the rate minus the count);  d/dlambda = 1 - y / (lambda + eps)
            grad = torch.exp(input) - target if ctx.log_input else (target / (input + ctx.eps)).neg_().add_(1)  # exp's output stays intact: a Hessian differentiates this
            grad_input = grad.mul_(scale)
        if ctx.needs_input_grad[1]:
            grad = -input if ctx.log_input else torch.log(input + ctx.eps).neg_()
            if ctx.full:  # d/dy of the Stirling term: log y + 1 / (2 y) where y > 1, else 0
                big = target > 1
                t = torch.where(big, target, torch.ones_like(target))
                grad = grad.add_((torch.log(t) + 0.5 / t).masked_fill_(~big, 0.0))
            grad_target = grad.mul_(scale)
        return grad_input, grad_target, None, None, None, None


def poisson_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Poisson negative log-likelihood of counts; mirrors :func:`torch.nn.functional.poisson_nll_loss`.

    With ``log_input=True`` the input is the log-rate :math:`\eta = \log\lambda`; otherwise it
    is the rate :math:`\lambda` itself:

    .. math::

        \ell_i = e^{\eta_i} - y_i \eta_i, \qquad
        \frac{\partial \ell_i}{\partial \eta_i} = e^{\eta_i} - y_i, \qquad
        \frac{\partial \ell_i}{\partial y_i} = -\eta_i ;

        \ell_i = \lambda_i - y_i \log(\lambda_i + \varepsilon), \qquad
        \frac{\partial \ell_i}{\partial \lambda_i} = 1 - \frac{y_i}{\lambda_i + \varepsilon}, \qquad
        \frac{\partial \ell_i}{\partial y_i} = -\log(\lambda_i + \varepsilon) .

    ``full=True`` adds Stirling's approximation of :math:`\log y_i!`,
    :math:`y_i \log y_i - y_i + \frac12 \log(2\pi y_i)`, where :math:`y_i > 1` (and 0 where
    :math:`y_i \le 1`, exact for the counts 0 and 1); its derivative in :math:`y_i` is
    :math:`\log y_i + 1/(2 y_i)`. PyTorch's autograd returns NaN for that derivative at
    :math:`y_i = 0`; lossbook returns the derivative of the term as defined, 0.

    Args:
        input: the log-rates (``log_input=True``) or the rates (``log_input=False``).
        target: the observed counts :math:`y`, the same shape as ``input``.
        log_input: whether ``input`` is the log of the rate.
        full: add the Stirling term, so that the loss approximates the full negative
            log-likelihood :math:`-\log p(y \mid \lambda)`.
        eps: added to the rate inside the log when ``log_input=False``.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target: :math:`(*)`, the same shape as the input (never broadcast).
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype the arguments promote to (float16/bfloat16 computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor.
        ValueError: shapes differ, ``eps`` is negative, or ``reduction`` is unknown.

    Example:
        >>> import math, torch
        >>> from lossbook.losses import poisson_nll_loss
        >>> eta, y = torch.tensor([0.0, math.log(2.0)]), torch.tensor([0.0, 3.0])
        >>> poisson_nll_loss(eta, y, reduction="none")  # 1 - 0, 2 - 3 log 2
        tensor([ 1.0000, -0.0794])
        >>> rate, count = torch.tensor([2.0]), torch.tensor([3.0])
        >>> poisson_nll_loss(rate, count, log_input=False, full=True)  # 2 - 3 log 2 + (3 log 3 - 3 + log(6 pi) / 2)
        tensor(1.6846)
        >>> -torch.distributions.Poisson(rate).log_prob(count)  # exact: 2 - 3 log 2 + log 3!
        tensor([1.7123])

    References:
        McCullagh and Nelder, *Generalized Linear Models*, 2nd ed., Chapman and Hall, 1989.
    """
    fn = "poisson_nll_loss"
    check_pair(fn, input, target)
    check_number(fn, "eps", eps, low=0.0)
    check_reduction(fn, reduction)
    out_dtype = torch.promote_types(input.dtype, target.dtype)
    dtype = _compute_dtype(out_dtype)
    x, y = (t if t.dtype == dtype else t.to(dtype) for t in (input, target))
    return _cast(_PoissonNLL.apply(x, y, bool(log_input), bool(full), float(eps), reduction), out_dtype)


class _BetaNLL(torch.autograd.Function):
    r""":math:`\lfloor v^\beta \rfloor \tfrac12(\log v + (\mu - y)^2 / v)` with ``v = max(var, eps)``, reduced inside the Function.

    The weight :math:`v^\beta` is a constant for the gradient (stop-gradient), so every
    derivative is the Gaussian NLL's times :math:`v^\beta`; the clamp is not differentiated.
    """

    @staticmethod
    def forward(ctx, input, target, var, beta, eps, reduction):
        ctx.save_for_backward(input, target, var)
        ctx.beta, ctx.eps, ctx.reduction = beta, eps, reduction
        v = var.clamp(min=eps)
        loss = torch.addcdiv(v.log(), (input - target).square_(), v)  # log v + r^2 / v
        loss = loss.mul_(v.pow_(beta).mul_(0.5)) if beta else loss.mul_(0.5)
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, var = ctx.saved_tensors
        scale = grad_scale(grad_output, ctx.reduction, input.shape)
        v = var.clamp(min=ctx.eps)
        w = v.pow(ctx.beta - 1)  # v^(beta - 1)
        r = input - target
        rw = r * w  # d/dmu = v^beta (mu - y) / v = (mu - y) / v^(1 - beta)
        grad_var = None
        if ctx.needs_input_grad[2]:
            # d/dv = v^beta (v - (mu - y)^2) / (2 v^2) = (w - r (r w) / v) / 2
            grad_var = torch.addcdiv(w, r.mul_(rw), v, value=-1.0).mul_(scale * 0.5)
        grads = pair_grads(ctx.needs_input_grad, rw.mul_(scale)) if any(ctx.needs_input_grad[:2]) else (None, None)
        return *grads, grad_var, None, None, None


def _check_finite_beta(fn: str, beta: float) -> None:
    """``v ** inf`` is 0 or inf, so an infinite ``beta`` would make every loss NaN."""
    if math.isinf(beta):
        raise ValueError(f"{fn}: beta must be finite, got {beta}")


def beta_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    var: torch.Tensor | float,
    *,
    beta: float = 0.5,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""The :math:`\beta`-NLL of Seitzer et al.: the Gaussian NLL of each element weighted by its gradient-stopped variance to the power :math:`\beta`.

    With :math:`v_i = \max(\mathrm{var}_i, \varepsilon)` and :math:`\lfloor\cdot\rfloor` the
    stop-gradient (the weight is a constant for the gradient),

    .. math::

        \ell_i = \lfloor v_i^{\beta} \rfloor \, \frac{1}{2}\left(\log v_i + \frac{(\mu_i - y_i)^2}{v_i}\right),
        \qquad
        \frac{\partial \ell_i}{\partial \mu_i} = \frac{\mu_i - y_i}{v_i^{1 - \beta}} = -\frac{\partial \ell_i}{\partial y_i},
        \qquad
        \frac{\partial \ell_i}{\partial v_i} = v_i^{\beta}\, \frac{v_i - (\mu_i - y_i)^2}{2 v_i^2} .

    :math:`\beta = 0` is the Gaussian NLL (:func:`gaussian_nll_loss` with ``full=False``);
    :math:`\beta = 1` gives the mean the gradient of half the squared error, :math:`\mu_i - y_i`,
    whatever the predicted variance. Because the weight is not differentiated, the minimizer
    of each element's loss in :math:`(\mu_i, v_i)` is still the Gaussian NLL's (the gradient
    vanishes at the same points): only the balance between examples changes. The variance is
    clamped as in :func:`gaussian_nll_loss`, and the clamp is not differentiated.

    Args:
        input: the predicted means :math:`\mu`, a floating-point tensor.
        target: the observations :math:`y`.
        var: the predicted variances (non-negative), a tensor or a number, with the shapes
            :func:`gaussian_nll_loss` accepts.
        beta: the power :math:`\beta \ge 0` (finite) of the variance weight; 0.5 is the paper's default.
        eps: variances are clamped to at least ``eps``, for stability.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target, var: as for :func:`gaussian_nll_loss`.
        - output: a scalar, or the input's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype the arguments promote to (float16/bfloat16 computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``var`` is not a floating-point tensor (``var`` may
            be a number), or ``beta`` is not a number.
        ValueError: a shape :func:`gaussian_nll_loss` refuses, a negative variance, ``beta``
            negative or infinite, a negative ``eps``, or an unknown ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import beta_nll_loss
        >>> mu, y, var = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), torch.tensor([1.0, 4.0])
        >>> beta_nll_loss(mu, y, var, reduction="none")  # 1 * (0 + 1) / 2, 4^0.5 * (log 4 + 0) / 2
        tensor([0.5000, 1.3863])
        >>> beta_nll_loss(mu, y, var, beta=0.0)  # the Gaussian NLL
        tensor(0.5966)

    References:
        Seitzer, Tavakoli, Antic and Martius, *On the pitfalls of heteroscedastic uncertainty
        estimation with probabilistic neural networks*, ICLR 2022.

    Chapter: ``book/regression/probabilistic.ipynb``.
    """
    fn = "beta_nll_loss"
    check_number(fn, "beta", beta, low=0.0)
    _check_finite_beta(fn, beta)
    x, y, v, out_dtype = _check_gaussian_args(fn, input, target, var, eps, reduction)
    return _cast(_BetaNLL.apply(x, y, v, float(beta), float(eps), reduction), out_dtype)


class _StudentTNLL(torch.autograd.Function):
    r""":math:`\log s + \frac{\nu + 1}{2}\log(1 + r^2 / (\nu s^2)) + C_\nu` with ``s = max(scale, eps)``, reduced inside the Function.

    The gradient is the one derived in the choosing chapter, evaluated at the clamped scale (the
    clamp is not differentiated), times the reduction's scale.
    """

    @staticmethod
    def forward(ctx, input, target, scale, df, eps, reduction, const):
        ctx.save_for_backward(input, target, scale)
        ctx.df, ctx.eps, ctx.reduction = df, eps, reduction
        s = scale.clamp(min=eps)
        z = (input - target).div_(s)
        loss = z.square_().div_(df).log1p_().mul_(0.5 * (df + 1)).add_(s.log_()).add_(const)
        return reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad_output):
        input, target, scale = ctx.saved_tensors
        df = ctx.df
        g_scale = grad_scale(grad_output, ctx.reduction, input.shape)
        s = scale.clamp(min=ctx.eps)
        r = input - target
        r2 = r * r
        denom = (s * s).mul_(df).add_(r2)  # D = nu s^2 + r^2
        grad_scale_arg = None
        if ctx.needs_input_grad[2]:
            # d/ds = 1/s - (nu + 1) r^2 / (s D) = nu (s^2 - r^2) / (s D)
            grad_scale_arg = (s * s).sub_(r2).mul_(df).div_(s).div_(denom).mul_(g_scale)
        # d/dmu = (nu + 1) r / D
        grads = pair_grads(ctx.needs_input_grad, (r / denom).mul_(g_scale).mul_(df + 1)) if any(ctx.needs_input_grad[:2]) else (None, None)
        return *grads, grad_scale_arg, None, None, None, None


def student_t_nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    scale: torch.Tensor | float,
    *,
    df: float,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Student-t negative log-likelihood of ``target`` given a location and a (learned) scale.

    With :math:`s_i = \max(\mathrm{scale}_i, \varepsilon)`, :math:`r_i = \mu_i - y_i` and
    :math:`\nu` the degrees of freedom,

    .. math::

        \ell_i = \log s_i + \frac{\nu + 1}{2} \log\left(1 + \frac{r_i^2}{\nu s_i^2}\right) + C_\nu,
        \qquad
        C_\nu = \log\Gamma\!\left(\tfrac{\nu}{2}\right) - \log\Gamma\!\left(\tfrac{\nu + 1}{2}\right) + \tfrac12 \log(\nu\pi),

    .. math::

        \frac{\partial \ell_i}{\partial \mu_i} = \frac{(\nu + 1)\, r_i}{\nu s_i^2 + r_i^2} = -\frac{\partial \ell_i}{\partial y_i},
        \qquad
        \frac{\partial \ell_i}{\partial s_i} = \frac{\nu\,(s_i^2 - r_i^2)}{s_i\,(\nu s_i^2 + r_i^2)} .

    The loss is the exact negative log-density,
    ``-torch.distributions.StudentT(df, input, scale).log_prob(target)``. Its pull on the
    location rises to a maximum at :math:`|r_i| = \sqrt{\nu}\, s_i` and falls back to zero
    (it redescends); :math:`\nu = 1` is the Cauchy likelihood and :math:`\nu \to \infty` the
    Gaussian. ``eps`` clamps the scale from below, as :func:`gaussian_nll_loss` clamps the
    variance, and in the same way the clamp is not differentiated: a scale below ``eps``
    receives the gradient above evaluated at :math:`s_i = \varepsilon`.

    Args:
        input: the predicted locations :math:`\mu` (the median, and the mean when
            :math:`\nu > 1`), a floating-point tensor.
        target: the observations :math:`y`.
        scale: the predicted scales :math:`s` (non-negative; the standard deviation is
            :math:`s\sqrt{\nu / (\nu - 2)}` when :math:`\nu > 2`), a tensor that may require a
            gradient, or a number; the shapes :func:`gaussian_nll_loss` accepts for ``var``.
        df: the degrees of freedom :math:`\nu`, a positive number (not a tensor).
        eps: scales are clamped to at least ``eps``, for stability.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(*)`, any number of dimensions.
        - target, scale: as ``target`` and ``var`` of :func:`gaussian_nll_loss`.
        - output: a scalar, or the input's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype the arguments promote to (float16/bfloat16 computed in float32).

    Raises:
        TypeError: ``input``, ``target`` or ``scale`` is not a floating-point tensor (``scale``
            may be a number), or ``df`` is not a number.
        ValueError: a shape :func:`gaussian_nll_loss` refuses, a negative scale, ``df`` not in
            :math:`(0, \infty)`, a negative ``eps``, or an unknown ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import student_t_nll_loss
        >>> mu, y = torch.tensor([0.0, 0.0]), torch.tensor([0.0, 1.0])
        >>> student_t_nll_loss(mu, y, torch.ones(2), df=1.0, reduction="none")  # Cauchy: log(pi), log(pi) + log 2
        tensor([1.1447, 1.8379])
        >>> -torch.distributions.StudentT(1.0, mu, torch.ones(2)).log_prob(y)
        tensor([1.1447, 1.8379])

    References:
        Lange, Little and Taylor, *Robust statistical modeling using the t distribution*,
        Journal of the American Statistical Association 84(408), 1989.

    Chapter: ``book/regression/choosing.ipynb`` (its experiment); the likelihood losses live
    with the Gaussian NLL, in ``book/regression/probabilistic.ipynb``'s module.
    """
    fn = "student_t_nll_loss"
    check_number(fn, "df", df, low=0.0, high=math.inf, low_open=True, high_open=True)
    x, y, s, out_dtype = _check_gaussian_args(fn, input, target, scale, eps, reduction, name="scale", what="a scale")
    const = math.lgamma(0.5 * df) - math.lgamma(0.5 * (df + 1)) + 0.5 * math.log(df * math.pi)
    return _cast(_StudentTNLL.apply(x, y, s, float(df), float(eps), reduction, const), out_dtype)


class GaussianNLLLoss(_Loss):
    """Module form of :func:`gaussian_nll_loss`; mirrors :class:`torch.nn.GaussianNLLLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import GaussianNLLLoss
        >>> GaussianNLLLoss(reduction="sum")(torch.zeros(2), torch.ones(2), torch.ones(2))
        tensor(1.)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        check_number("GaussianNLLLoss", "eps", eps, low=0.0)
        super().__init__(reduction, full=full, eps=eps)

    def forward(self, input: torch.Tensor, target: torch.Tensor, var: torch.Tensor | float) -> torch.Tensor:
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)



class PoissonNLLLoss(_Loss):
    """Module form of :func:`poisson_nll_loss`; mirrors :class:`torch.nn.PoissonNLLLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import PoissonNLLLoss
        >>> PoissonNLLLoss()(torch.zeros(2), torch.tensor([1.0, 3.0]))  # e^0 - y * 0
        tensor(1.)
    """

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8, reduction: str = "mean") -> None:
        check_number("PoissonNLLLoss", "eps", eps, low=0.0)
        super().__init__(reduction, log_input=log_input, full=full, eps=eps)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return poisson_nll_loss(input, target, log_input=self.log_input, full=self.full, eps=self.eps, reduction=self.reduction)



class BetaNLLLoss(_Loss):
    """Module form of :func:`beta_nll_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import BetaNLLLoss
        >>> BetaNLLLoss(beta=1.0, reduction="sum")(torch.zeros(2), torch.ones(2), torch.ones(2))
        tensor(1.)
    """

    def __init__(self, *, beta: float = 0.5, eps: float = 1e-6, reduction: str = "mean") -> None:
        check_number("BetaNLLLoss", "beta", beta, low=0.0)
        _check_finite_beta("BetaNLLLoss", beta)
        check_number("BetaNLLLoss", "eps", eps, low=0.0)
        super().__init__(reduction, beta=beta, eps=eps)

    def forward(self, input: torch.Tensor, target: torch.Tensor, var: torch.Tensor | float) -> torch.Tensor:
        return beta_nll_loss(input, target, var, beta=self.beta, eps=self.eps, reduction=self.reduction)



class StudentTNLLLoss(_Loss):
    """Module form of :func:`student_t_nll_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import StudentTNLLLoss
        >>> StudentTNLLLoss(df=1.0)(torch.zeros(1), torch.zeros(1), torch.ones(1))  # log(pi), the Cauchy density at its centre
        tensor(1.1447)
    """

    def __init__(self, *, df: float, eps: float = 1e-6, reduction: str = "mean") -> None:
        check_number("StudentTNLLLoss", "df", df, low=0.0, high=math.inf, low_open=True, high_open=True)
        check_number("StudentTNLLLoss", "eps", eps, low=0.0)
        super().__init__(reduction, df=df, eps=eps)

    def forward(self, input: torch.Tensor, target: torch.Tensor, scale: torch.Tensor | float) -> torch.Tensor:
        return student_t_nll_loss(input, target, scale, df=self.df, eps=self.eps, reduction=self.reduction)

