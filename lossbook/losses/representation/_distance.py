r"""The distance of :func:`torch.nn.functional.pairwise_distance`, forward and backward, for the pair and triplet losses.

.. math::

    u = x_1 - x_2 + \epsilon, \qquad d = \lVert u \rVert_p = \Big(\sum_k |u_k|^p\Big)^{1/p}
    \quad \text{(over the last dimension)}, \\
    \frac{\partial d}{\partial x_1} = -\frac{\partial d}{\partial x_2}
        = \frac{\operatorname{sign}(u)\, |u|^{p - 1}}{d^{\,p - 1}}
    \quad (= u / d \text{ for } p = 2,\ \operatorname{sign}(u) \text{ for } p = 1).

The :math:`\epsilon` (``1e-6`` by default) is added to every component of the difference,
inside the norm, exactly as PyTorch does: for equal vectors :math:`d = \epsilon\, D^{1/p}`
(``1e-6 * sqrt(D)`` for the Euclidean distance), not 0, and the gradient is finite there
(:math:`u / d = 1 / \sqrt{D}` per component for :math:`p = 2`). Where :math:`d` is exactly 0
(a difference of exactly :math:`-\epsilon` in every component) the gradient is 0, PyTorch's
convention for a norm at 0. For :math:`p = \infty` the gradient is shared equally among the
components that attain the maximum, as PyTorch's ``linalg.vector_norm`` backward does.

Used by ``contrastive_loss`` (``lossbook/losses/representation/pairwise.py``, chapter
``book/representation/pairwise.ipynb``) and the triplet losses
(``lossbook/losses/representation/triplet.py``, chapter ``book/representation/triplet.ipynb``).
Both are plain tensor functions, to be called inside an ``autograd.Function``'s forward and
backward: written with differentiable operations, so a backward that recomputes ``u`` and
``d`` from its saved inputs under ``create_graph=True`` gets true second derivatives.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

__all__ = ["check_norm_degree", "pairwise_distance", "pairwise_distance_backward"]


def check_norm_degree(fn: str, p) -> float:
    """Require a norm degree ``p > 0`` (``math.inf`` allowed); returns it as a float.

    :math:`p \\le 0` is not a norm (PyTorch's ``pairwise_distance`` accepts it: ``p = 0``
    counts the non-zero components, whose gradient is 0 everywhere).
    """
    if isinstance(p, bool) or not isinstance(p, Real):
        raise TypeError(f"{fn}: p must be a real number, got {type(p).__name__}")
    if not p > 0:  # also NaN
        raise ValueError(f"{fn}: p must be in (0, inf], the degree of a norm, got {p}")
    return float(p)


def pairwise_distance(x1: torch.Tensor, x2: torch.Tensor, p: float = 2.0, eps: float = 1e-6) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``(d, u)``: the distance :math:`d = \lVert x_1 - x_2 + \epsilon \rVert_p` over the last dimension, and :math:`u = x_1 - x_2 + \epsilon`.

    ``d`` equals :func:`torch.nn.functional.pairwise_distance(x1, x2, p, eps)` bit for bit (the
    same ``linalg.vector_norm`` kernel on the same ``u``). ``x1`` and ``x2`` have the same
    shape ``(*, D)``; ``d`` has shape ``(*)``. ``u`` is a new tensor the caller owns.
    """
    u = (x1 - x2).add_(eps)
    return torch.linalg.vector_norm(u, p, dim=-1), u


def pairwise_distance_backward(u: torch.Tensor, d: torch.Tensor, grad_d: torch.Tensor, p: float = 2.0) -> torch.Tensor:
    r"""The gradient with respect to :math:`x_1` of :math:`\sum g\, d`, for an upstream ``grad_d`` :math:`g` of ``d``'s shape.

    :math:`g\, \partial d / \partial u`, of ``u``'s shape ``(*, D)``; the gradient with respect
    to :math:`x_2` is its negative. Returns a new tensor (``u`` and ``d`` are not modified).
    """
    g = grad_d.unsqueeze(-1)
    if p == 2.0:  # u / d
        return u * torch.where(d == 0, 0.0, grad_d / torch.where(d == 0, 1.0, d)).unsqueeze(-1)
    if p == 1.0:  # sign(u)
        return u.sign() * g
    if math.isinf(p):  # the components at the maximum share the gradient
        a = u.abs()
        at_max = (a == d.unsqueeze(-1)).to(u.dtype)
        return u.sign() * at_max * (g / at_max.sum(-1, keepdim=True).clamp_min(1.0))
    a = u.abs()
    power = a.pow(p - 1.0)
    if p < 1.0:  # |u|^(p - 1) is infinite at u = 0: PyTorch's 0 there
        power = torch.where(a == 0, 0.0, power)
    scale = torch.where(d == 0, 0.0, grad_d / torch.where(d == 0, 1.0, d).pow(p - 1.0)).unsqueeze(-1)
    return u.sign() * power * scale
