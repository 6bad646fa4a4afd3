r"""Argument checks shared by every loss.

Each check raises ``ValueError`` or ``TypeError`` with a message that names the
function, the argument, what was expected and what was given, e.g.
``mse_loss: target shape (32,) does not match input shape (32, 1)``.

Two kinds of check, with different costs:

- **Checks of types, shapes, devices and options** look only at Python objects and tensor
  metadata. They run on every call, on every device, and under :func:`torch.compile`.
- **Checks of values** (class indices in range, probabilities in :math:`[0, 1]`, labels in
  :math:`\{-1, +1\}`) need the data. Raising a Python error from them would need the value
  on the host, which on a GPU is a host-device synchronisation on every call. So:

  - on **CPU tensors** they raise the clear ``ValueError`` (one pass over the data, usually
    an ``aminmax``, and nothing more unless the check fails);
  - on **accelerators** they are a device-side assert, :func:`torch._assert_async`: no
    synchronisation; bad input stops the program at a later kernel launch with the same
    message, and leaves the device unusable for this process (as an out-of-range index in
    a ``gather`` would). Run the failing call on CPU tensors to get the ``ValueError``;
  - while :func:`torch.compile` traces (:func:`torch.compiler.is_compiling`) they are
    skipped: a data-dependent branch would break the graph, and the compiled graph assumes
    valid input, as PyTorch's own kernels do. Call the loss eagerly to check new data.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

REDUCTIONS = ("none", "mean", "sum")
_INTEGER_DTYPES = frozenset({torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint16, torch.uint32, torch.uint64})


def shape_str(t: torch.Tensor) -> str:
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
    if value.dtype not in _INTEGER_DTYPES:
        raise TypeError(f"{fn}: {name} must be an integer tensor of class indices, got dtype {value.dtype}")


def check_same_shape(fn: str, name: str, value: torch.Tensor, input: torch.Tensor) -> None:
    """Require ``value`` to have exactly the shape of ``input``: nothing is broadcast."""
    if value.shape != input.shape:
        raise ValueError(f"{fn}: {name} shape {shape_str(value)} does not match input shape {shape_str(input)}")


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


def values_checked(value: torch.Tensor) -> bool:
    """Whether a check of ``value``'s data runs: not while :func:`torch.compile` traces, nor for an empty tensor."""
    return not torch.compiler.is_compiling() and value.numel() > 0


def device_assert(ok: torch.Tensor, message: str) -> None:
    """On an accelerator, assert ``ok`` (a 0-d bool tensor) on the device: no host-device synchronisation."""
    torch._assert_async(ok, message)


def check_in_interval(fn: str, name: str, value: torch.Tensor, low: float = 0.0, high: float = 1.0) -> None:
    """Require every element of a floating tensor to lie in ``[low, high]`` (probabilities, soft labels).

    NaN fails the check. A value check: see the module docstring for accelerators and compilation.
    """
    if not values_checked(value):
        return
    lo, hi = torch.aminmax(value.detach())
    if value.device.type != "cpu":
        device_assert((lo >= low) & (hi <= high), f"{fn}: {name} values must be in [{low:g}, {high:g}]")
        return
    lo, hi = lo.item(), hi.item()
    if not (lo >= low and hi <= high):  # False for NaN
        raise ValueError(f"{fn}: {name} values must be in [{low:g}, {high:g}], got values in [{lo:.4g}, {hi:.4g}]")


def check_class_target(fn: str, input, target, *, ignore_index: int | None = None) -> tuple[int, bool]:
    """Class-index targets, as in :func:`torch.nn.functional.cross_entropy`.

    ``input`` is ``(C,)``, ``(N, C)`` or ``(N, C, d1, ..., dk)``; ``target`` is an integer
    tensor of the input's shape without its class dimension, each entry in ``[0, C)`` or
    equal to ``ignore_index``. Returns the number of classes and whether every index was
    read and found in ``[0, C)`` (see :func:`check_class_indices`).
    """
    check_tensor(fn, "input", input)
    check_integer_tensor(fn, "target", target)
    if input.dim() == 0:
        raise ValueError(f"{fn}: input must have a class dimension, got a scalar")
    n_classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    expected = input.shape[:1] + input.shape[2:] if input.dim() >= 2 else torch.Size([])
    if target.shape != expected:
        raise ValueError(
            f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}: "
            f"expected {tuple(expected)}, the input's shape without its class dimension"
        )
    check_same_device(fn, "target", target, input)
    return n_classes, check_class_indices(fn, target, n_classes, ignore_index=ignore_index)


def check_class_indices(fn: str, target: torch.Tensor, n_classes: int, *, ignore_index: int | None = None) -> bool:
    """Require every class index in ``[0, n_classes)`` or equal to ``ignore_index``.

    Returns whether the values were read and all lie in ``[0, n_classes)``: on CPU tensors,
    outside :func:`torch.compile`, in the common case. A loss may then skip its handling of
    ignored positions when ``ignore_index`` lies outside that range. A value check: see the
    module docstring for accelerators and compilation.
    """
    if not values_checked(target):
        return False
    if target.device.type != "cpu":
        ok = (target >= 0) & (target < n_classes)
        if ignore_index is not None:
            ok |= target == ignore_index
        device_assert(ok.all(), f"{fn}: target holds a class index outside [0, {n_classes}), {_expected(n_classes, ignore_index)}")
        return False
    lo, hi = torch.aminmax(target)
    if lo.item() >= 0 and hi.item() < n_classes:  # the common case: one pass over the targets
        return True
    out_of_range = (target < 0) | (target >= n_classes)
    if ignore_index is not None:
        out_of_range &= target != ignore_index
    if out_of_range.any():
        raise ValueError(f"{fn}: target holds class index {target[out_of_range][0].item()}, {_expected(n_classes, ignore_index)}")
    return False


def _expected(n_classes: int, ignore_index: int | None) -> str:
    also = f" or ignore_index={ignore_index}" if ignore_index is not None else ""
    return f"expected values in [0, {n_classes}){also}"


def check_class_weight(fn: str, weight, n_classes: int, input: torch.Tensor) -> None:
    """An optional per-class weight: a floating tensor of shape ``(C,)`` on the input's device."""
    if weight is None:
        return
    check_tensor(fn, "weight", weight)
    if weight.shape != (n_classes,):
        raise ValueError(f"{fn}: weight must have shape ({n_classes},), one entry per class, got shape {shape_str(weight)}")
    check_same_device(fn, "weight", weight, input)


def check_broadcastable(fn: str, name: str, value, input: torch.Tensor) -> None:
    """An optional floating tensor that broadcasts to the input's shape without enlarging it.

    PyTorch's rule for the ``weight`` and ``pos_weight`` of the binary cross-entropies: a
    per-class weight of shape ``(C,)`` fits an input ``(N, C)``, as do ``(N, 1)`` and a scalar;
    a shape that broadcasts to something larger than the input, or not at all, raises.
    """
    if value is None:
        return
    check_tensor(fn, name, value)
    try:
        shape = torch.broadcast_shapes(value.shape, input.shape)
    except RuntimeError:
        shape = None
    if shape != input.shape:
        raise ValueError(
            f"{fn}: {name} shape {shape_str(value)} does not broadcast to input shape {shape_str(input)} "
            f"(expected the input's shape or one that broadcasts to it, e.g. one entry per class)"
        )
    check_same_device(fn, name, value, input)


def check_broadcast_shape(fn: str, name: str, value: torch.Tensor, input: torch.Tensor, *, same_ndim: bool = False) -> None:
    """Allow one documented broadcast: ``value`` has the input's shape, or that shape with one dimension of size 1.

    For the few PyTorch losses whose documentation allows it (the target and the variance of
    ``gaussian_nll_loss``). Missing leading dimensions count as dimensions of size 1, as in
    broadcasting (a value of shape ``(3,)`` fits an input of shape ``(2, 3)``), unless
    ``same_ndim``. Anything else raises: nothing else is broadcast.
    """
    vs, xs = tuple(value.shape), tuple(input.shape)
    if vs == xs:
        return
    fits = len(vs) == len(xs) if same_ndim else len(vs) <= len(xs)
    if fits:
        padded = (1,) * (len(xs) - len(vs)) + vs
        differ = [(v, x) for v, x in zip(padded, xs) if v != x]
        if len(differ) == 1 and differ[0][0] == 1:
            return
    raise ValueError(
        f"{fn}: {name} shape {shape_str(value)} does not match input shape {shape_str(input)} "
        f"(expected the input's shape, or that shape with one dimension of size 1)"
    )


def check_bool(fn: str, name: str, value) -> None:
    """Require a bool (``squared``, ``log_target``)."""
    if not isinstance(value, bool):
        raise TypeError(f"{fn}: {name} must be a bool, got {type(value).__name__}")


def check_signs(fn: str, target: torch.Tensor) -> None:
    """Binary labels in {-1, +1}. A value check: see the module docstring for accelerators and compilation."""
    if not values_checked(target):
        return
    bad = target.detach().abs() != 1
    if target.device.type != "cpu":
        device_assert(~bad.any(), f"{fn}: target must hold -1 and +1 only")
    elif bad.any():
        raise ValueError(f"{fn}: target must hold -1 and +1 only, got the value {target[bad][0].item():g}")


def check_index_range(fn: str, target: torch.Tensor, low: int, n_classes: int, what: str) -> None:
    """Require every entry of ``target`` in ``[low, n_classes)`` (``low = -1`` for -1-terminated label lists).

    A value check: see the module docstring for accelerators and compilation.
    """
    if not values_checked(target):
        return
    expected = f"expected {what} in [{low}, {n_classes - 1}]"
    lo, hi = torch.aminmax(target)
    if target.device.type != "cpu":
        device_assert((lo >= low) & (hi < n_classes), f"{fn}: target holds a value outside [{low}, {n_classes - 1}], {expected}")
        return
    if lo.item() < low or hi.item() >= n_classes:
        bad = (target < low) | (target >= n_classes)
        raise ValueError(f"{fn}: target holds {target[bad][0].item()}, {expected}")


def check_index_dtype(fn: str, target) -> None:
    """Class indices are int64, as PyTorch's margin losses require."""
    check_tensor(fn, "target", target, floating=False)
    if target.dtype != torch.int64:
        raise TypeError(f"{fn}: target class indices must have dtype torch.int64, got dtype {target.dtype}")


def check_matrix(fn: str, input: torch.Tensor) -> int:
    """``input`` is 0-d (one class), ``(C,)`` or ``(N, C)`` with ``C >= 1``; returns ``C``."""
    if input.dim() > 2 or (input.dim() > 0 and input.shape[-1] == 0):
        raise ValueError(f"{fn}: input must be 0-d, (C,) or (N, C) with C >= 1, got shape {shape_str(input)}")
    return input.shape[-1] if input.dim() > 0 else 1
