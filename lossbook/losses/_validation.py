"""Argument checks shared by every loss.

Each check raises ``ValueError`` or ``TypeError`` with a message that names the
function, the argument, what was expected and what was given, e.g.
``mse_loss: target shape (32,) does not match input shape (32, 1)``.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

REDUCTIONS = ("none", "mean", "sum")


def _shape(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


def check_tensor(fn: str, name: str, value, *, floating: bool = True) -> None:
    """Require a tensor (a floating-point one unless ``floating=False``)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{fn}: {name} must be a torch.Tensor, got {type(value).__name__}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{fn}: {name} must be a floating-point tensor, got dtype {value.dtype}")


def check_integer_tensor(fn: str, name: str, value) -> None:
    """Require a tensor of integer dtype (class indices)."""
    check_tensor(fn, name, value, floating=False)
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{fn}: {name} must be an integer tensor of class indices, got dtype {value.dtype}")


def check_same_shape(fn: str, name: str, value: torch.Tensor, input: torch.Tensor) -> None:
    """Require ``value`` to have exactly the shape of ``input``: nothing is broadcast."""
    if value.shape != input.shape:
        raise ValueError(f"{fn}: {name} shape {_shape(value)} does not match input shape {_shape(input)}")


def check_same_device(fn: str, name: str, value: torch.Tensor, input: torch.Tensor) -> None:
    if value.device != input.device:
        raise ValueError(f"{fn}: {name} is on {value.device} but input is on {input.device}")


def check_pair(fn: str, input, target, *, target_floating: bool = True) -> None:
    """The common case: a floating input and a target of the same shape, on the same device."""
    check_tensor(fn, "input", input)
    check_tensor(fn, "target", target, floating=target_floating)
    check_same_shape(fn, "target", target, input)
    check_same_device(fn, "target", target, input)


def check_optional_weight(fn: str, weight, input: torch.Tensor, *, name: str = "weight") -> None:
    """An optional element-wise weight: a floating tensor of the input's shape."""
    if weight is None:
        return
    check_tensor(fn, name, weight)
    check_same_shape(fn, name, weight, input)
    check_same_device(fn, name, weight, input)


def check_reduction(fn: str, reduction, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    if reduction not in allowed:
        options = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{fn}: reduction must be one of {options}, got {reduction!r}")


def check_number(
    fn: str,
    name: str,
    value,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Require a real number in an interval, e.g. ``delta`` in (0, inf)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{fn}: {name} must be a real number, got {type(value).__name__}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high or math.isnan(value):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{fn}: {name} must be in {interval}, got {value}")
