"""Optimizers written from their update equations. Chapter: ``book/foundations/optimization.ipynb``.

Each class is a :class:`torch.optim.Optimizer` with the name, the signature, the defaults
and the semantics of its :mod:`torch.optim` namesake, so it drops into any training loop
(and into :func:`lossbook.train.fit`), but its ``step`` is the chapter's update rule in
plain tensor operations. The chapter shows, and ``tests/test_optim.py`` checks, that each
follows :mod:`torch.optim`'s trajectory step for step in float64.

    >>> import torch
    >>> from lossbook import optim
    >>> w = torch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w**2).sum().backward()   # gradient 2w = [2, -4]
    >>> opt.step()                # w - 0.1 * [2, -4]
    >>> w.detach()
    tensor([ 0.8000, -1.6000])

Only the options below are implemented; torch's ``amsgrad``, ``maximize``, ``foreach``,
``fused``, ``capturable`` and ``differentiable`` are not, nor a tensor learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import torch

__all__ = ["SGD", "Adam", "AdamW"]


def _check_number(cls: str, name: str, value, *, low: float = 0.0, high: float = math.inf, high_open: bool = False) -> None:
    """Require a real number in ``[low, high]`` (or ``[low, high)``); the message names the class and argument."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{cls}: {name} must be a real number, got {type(value).__name__}")
    if math.isnan(value) or value < low or (value >= high if high_open else value > high):
        high_text = "inf" if high == math.inf else f"{high:g}"
        raise ValueError(f"{cls}: {name} must be in [{low:g}, {high_text}{')' if high_open or high == math.inf else ']'}, got {value}")


class _Optimizer(torch.optim.Optimizer):
    """Shared checks: every parameter group, the defaults included, is validated by :meth:`_check_group`."""

    def _check_group(self, group: dict[str, Any]) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)  # fills in the defaults
        self._check_group(self.param_groups[-1])


class SGD(_Optimizer):
    r"""Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay; mirrors :class:`torch.optim.SGD`.

    With gradient :math:`g_t = \nabla f(\theta_{t-1}) + \lambda \theta_{t-1}` (weight decay
    :math:`\lambda` as an L2 penalty), momentum :math:`\mu` and dampening :math:`\tau`:

    .. math::

        b_t = \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases}, \qquad
        \theta_t = \theta_{t-1} - \eta \cdot \begin{cases}
            g_t & \mu = 0 \\ b_t & \text{heavy ball} \\ g_t + \mu b_t & \text{Nesterov}
        \end{cases}

    Args:
        params: the parameters, or a list of parameter groups (dicts) with their own options.
        lr: the learning rate :math:`\eta \ge 0` (torch's default, ``1e-3``).
        momentum: :math:`\mu \ge 0`; ``0`` is plain (stochastic) gradient descent.
        dampening: :math:`\tau`, scales the new gradient in the momentum buffer.
        weight_decay: :math:`\lambda \ge 0`, the coefficient of the L2 penalty
            :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2` added to the gradient.
        nesterov: use Nesterov momentum (requires ``momentum > 0`` and ``dampening = 0``).

    Raises:
        ValueError: a number outside its range, or ``nesterov`` without momentum, e.g.
            ``SGD: momentum must be in [0, inf), got -0.5``.
        TypeError: an option that is not a number (or, for ``nesterov``, not a bool).

    Example:
        >>> import torch
        >>> from lossbook.optim import SGD
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.5, momentum=0.5)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w**2).sum().backward()     # gradient 2w
        ...     opt.step()
        >>> w.item()                        # 1 - 0.5*2 = 0, then 0 - 0.5*(0.5*2 + 0) = -0.5
        -0.5

    References:
        Robbins and Monro (1951); Polyak (1964), heavy-ball momentum; Sutskever et al.
        (2013), Nesterov momentum for deep learning.
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
    ) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay, "nesterov": nesterov}
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        _check_number(name, "lr", group["lr"])
        _check_number(name, "momentum", group["momentum"])
        _check_number(name, "dampening", group["dampening"], low=-math.inf)
        _check_number(name, "weight_decay", group["weight_decay"])
        if not isinstance(group["nesterov"], bool):
            raise TypeError(f"{name}: nesterov must be a bool, got {type(group['nesterov']).__name__}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{name}: nesterov=True requires momentum > 0 and dampening = 0, "
                f"got momentum={group['momentum']} and dampening={group['dampening']}"
            )

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Take one step; ``closure`` (optional) re-evaluates the loss and returns it."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, mu, tau, wd = group["lr"], group["momentum"], group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if wd != 0:
                    g = g + wd * p  # gradient of the L2 penalty (wd / 2) ||p||^2
                if mu != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:  # first step: the buffer is the gradient
                        buf = state["momentum_buffer"] = g.clone()
                    else:
                        buf = state["momentum_buffer"]
                        buf.mul_(mu).add_((1 - tau) * g)
                    g = g + mu * buf if group["nesterov"] else buf
                p.sub_(lr * g)
        return loss


class Adam(_Optimizer):
    r"""Adam: bias-corrected moving averages of the gradient and its square; mirrors :class:`torch.optim.Adam`.

    With gradient :math:`g_t = \nabla f(\theta_{t-1}) + \lambda \theta_{t-1}` (weight decay as
    an L2 penalty, as torch's ``Adam`` does; see :class:`AdamW` for decoupled decay):

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
        \theta_t = \theta_{t-1} - \eta \, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    with :math:`m_0 = v_0 = 0`, element-wise.

    Args:
        params: the parameters, or a list of parameter groups (dicts) with their own options.
        lr: the learning rate :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`: the decay rates of the two averages.
        eps: :math:`\epsilon \ge 0`, added to the denominator.
        weight_decay: :math:`\lambda \ge 0`, the coefficient of the L2 penalty.

    Raises:
        ValueError: a number outside its range, e.g. ``Adam: betas[0] must be in [0, 1), got 1.5``.
        TypeError: an option of the wrong type.

    Example:
        >>> import torch
        >>> from lossbook.optim import Adam
        >>> w = torch.tensor([1.0, -100.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w**2).sum().backward()
        >>> opt.step()              # the first step is lr * sign(gradient), whatever its size
        >>> w.detach()
        tensor([  0.9000, -99.9000])

    References:
        Kingma and Ba, *Adam: A Method for Stochastic Optimization*, ICLR 2015.
    """

    _decoupled = False  # AdamW decays the weights directly instead of through the gradient

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        _check_number(name, "lr", group["lr"])
        betas = group["betas"]
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            _check_number(name, f"betas[{i}]", beta, high=1.0, high_open=True)
        _check_number(name, "eps", group["eps"])
        _check_number(name, "weight_decay", group["weight_decay"])

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """Take one step; ``closure`` (optional) re-evaluates the loss and returns it."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)  # m_0
                    state["exp_avg_sq"] = torch.zeros_like(p)  # v_0
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                if wd != 0:
                    if self._decoupled:
                        p.mul_(1 - lr * wd)  # AdamW: shrink the weights, outside the adaptive step
                    else:
                        g = g + wd * p  # Adam: an L2 penalty, rescaled with the gradient below
                m.mul_(beta1).add_((1 - beta1) * g)
                v.mul_(beta2).add_((1 - beta2) * g * g)
                m_hat = m / (1 - beta1**t)  # bias corrections: m_t and v_t start at zero
                v_hat = v / (1 - beta2**t)
                p.sub_(lr * m_hat / (v_hat.sqrt() + eps))
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay; mirrors :class:`torch.optim.AdamW` (default ``weight_decay=1e-2``).

    The weights are shrunk before the Adam step, instead of adding :math:`\lambda\theta` to
    the gradient:

    .. math::

        \theta_t = (1 - \eta\lambda)\,\theta_{t-1} - \eta \, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},

    with :math:`\hat m_t, \hat v_t` the bias-corrected averages of :class:`Adam` computed
    from the gradient of the loss alone.

    Args:
        params: the parameters, or a list of parameter groups (dicts) with their own options.
        lr: the learning rate :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
        eps: :math:`\epsilon \ge 0`.
        weight_decay: :math:`\lambda \ge 0`, the decoupled decay rate.

    Raises:
        ValueError: a number outside its range, e.g. ``AdamW: weight_decay must be in [0, inf), got -0.01``.
        TypeError: an option of the wrong type.

    Example:
        >>> import torch
        >>> from lossbook.optim import AdamW
        >>> w = torch.tensor([1.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (0 * w).sum().backward()   # a zero gradient: only the decay acts
        >>> opt.step()                 # w * (1 - 0.1 * 0.5)
        >>> w.item()
        0.949999988079071

    References:
        Loshchilov and Hutter, *Decoupled Weight Decay Regularization*, ICLR 2019.
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[torch.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
