"""Check a hand-derived backward against autograd and finite differences, in float64.

Chapter: ``book/foundations/gradients.ipynb`` explains the method; every loss chapter uses it.

    >>> import torch
    >>> from lossbook.gradcheck import check_gradient
    >>> from lossbook.losses import mse_loss
    >>> x, y = torch.randn(5), torch.randn(5)
    >>> report = check_gradient(mse_loss, lambda x, y: ((x - y) ** 2).mean(), x, y)
    >>> report.ok
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

__all__ = ["GradientReport", "check_gradient"]


def __dir__() -> list[str]:
    return sorted(__all__)


@dataclass(frozen=True)
class GradientReport:
    """The result of :func:`check_gradient`.

    Attributes:
        names: the checked arguments.
        value_error: ``|loss - reference|``.
        autograd_error: for each argument, the largest ``|hand - autograd of reference|``.
        finite_difference_error: for each argument, the largest ``|hand - central difference|``.
        gradcheck: whether ``torch.autograd.gradcheck`` passed on the loss.
        atol: the tolerance the errors are held to.
    """

    names: tuple[str, ...]
    value_error: float
    autograd_error: tuple[float, ...]
    finite_difference_error: tuple[float, ...]
    gradcheck: bool
    atol: float

    @property
    def ok(self) -> bool:
        errors = (self.value_error, *self.autograd_error, *self.finite_difference_error)
        return self.gradcheck and all(e <= self.atol for e in errors)

    def __str__(self) -> str:
        lines = [
            f"value        |loss - reference| = {self.value_error:.1e}",
            f"{'argument':<12} {'vs autograd':>12} {'vs finite diff':>15}",
        ]
        for name, a, f in zip(self.names, self.autograd_error, self.finite_difference_error):
            lines.append(f"{name:<12} {a:>12.1e} {f:>15.1e}")
        lines.append(f"torch.autograd.gradcheck: {'passed' if self.gradcheck else 'FAILED'}")
        lines.append(f"all within {self.atol:.0e}: {self.ok}")
        return "\n".join(lines)


def _finite_difference(fn: Callable[..., torch.Tensor], args: list[torch.Tensor], i: int, eps: float) -> torch.Tensor:
    grad = torch.zeros_like(args[i])
    flat = grad.view(-1)
    for k in range(args[i].numel()):
        values = []
        for step in (eps, -eps):
            shifted = [a.detach().clone() for a in args]
            shifted[i].view(-1)[k] += step
            values.append(fn(*shifted).sum())
        flat[k] = (values[0] - values[1]) / (2 * eps)
    return grad


def check_gradient(
    loss: Callable[..., torch.Tensor],
    reference: Callable[..., torch.Tensor],
    *args: torch.Tensor,
    names: tuple[str, ...] | None = None,
    wrt: tuple[int, ...] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-7,
) -> GradientReport:
    """Compare ``loss``'s hand-written backward with autograd of ``reference`` and with finite differences.

    Every tensor in ``args`` is cast to float64. ``loss`` and ``reference`` are called as
    ``loss(*args)``; bind options with a lambda or :func:`functools.partial`. Non-scalar
    outputs are summed, so the check covers the whole Jacobian-vector product with ones.

    Args:
        loss: the function under test (its graph holds the hand-written ``autograd.Function``).
        reference: a plain formula for the same loss, differentiated by autograd.
        *args: the tensor arguments.
        names: the arguments' names for the report (default ``input``, ``target``, ...).
        wrt: indices of the floating-point arguments to differentiate (default: all of them).
        eps: the finite-difference step.
        atol: the tolerance of ``GradientReport.ok``.

    Returns:
        A :class:`GradientReport`; print it for a table, or test ``report.ok``.
    """
    if not args or not all(isinstance(a, torch.Tensor) for a in args):
        raise TypeError("check_gradient: args must be one or more tensors")
    args64 = [a.detach().to(torch.float64) if a.is_floating_point() else a for a in args]
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args64) if a.is_floating_point())
    if names is None:
        default = ("input", "target", "weight")
        names = tuple(default[i] if i < len(default) else f"arg{i}" for i in range(len(args)))
    if len(names) != len(args):
        raise ValueError(f"check_gradient: names must give one name per argument ({len(args)}), got {len(names)}")

    def grads(fn: Callable[..., torch.Tensor]) -> tuple[torch.Tensor, list[torch.Tensor]]:
        leaves = [a.clone().requires_grad_(i in wrt) for i, a in enumerate(args64)]
        out = fn(*leaves)
        wanted = [leaves[i] for i in wrt]
        return out.detach(), list(torch.autograd.grad(out.sum(), wanted))

    value, hand = grads(loss)
    ref_value, auto = grads(reference)
    fd = [_finite_difference(lambda *a: loss(*a).detach(), args64, i, eps) for i in wrt]
    inputs = tuple(a.clone().requires_grad_(i in wrt) for i, a in enumerate(args64))
    passed = torch.autograd.gradcheck(loss, inputs, eps=eps, atol=1e-5, raise_exception=False)
    return GradientReport(
        names=tuple(names[i] for i in wrt),
        value_error=(value - ref_value).abs().max().item(),
        autograd_error=tuple((h - a).abs().max().item() for h, a in zip(hand, auto)),
        finite_difference_error=tuple((h - f).abs().max().item() for h, f in zip(hand, fd)),
        gradcheck=passed,
        atol=atol,
    )
