r"""The exponential that the hand-written losses use: on large CPU tensors, :math:`e^x = 2^{x \log_2 e}`.

The two are the same number up to rounding, but not the same speed. With the CPU build of
PyTorch that the project pins (x86), ``torch.exp`` over :math:`2^{20}` float32 values takes
two to three times as long as a scale and a ``torch.exp2`` together (``benchmarks/run.py``
prints the ratio). Rounding :math:`x \log_2 e` costs a relative error of about
:math:`0.4\,|x|` units in the last place: about :math:`10^{-6}` in float32 and
:math:`2 \cdot 10^{-15}` in float64 for :math:`|x| \le 20`, where a softmax's mass lies;
:math:`4 \cdot 10^{-6}` at :math:`x = -87` in float32 and :math:`5 \cdot 10^{-14}` at
:math:`x = -700` in float64. Below a few thousand elements the second operation's fixed cost
outweighs the gain, and on other devices the two passes over memory would cost more than the
one ``torch.exp`` makes (elementwise kernels there are limited by memory traffic), so those
take ``torch.exp``. The choice depends on the device type and the size, Python attributes:
no host-device synchronisation, and ``torch.compile`` sees one branch.
"""

from __future__ import annotations

import math

import torch

LOG2_E = math.log2(math.e)
_EXP2_FROM = 4096  # elements: below, one torch.exp is cheaper than two operations


def _by_exp2(x: torch.Tensor) -> bool:
    return x.device.type == "cpu" and x.numel() >= _EXP2_FROM


def exp(x: torch.Tensor) -> torch.Tensor:
    """:math:`e^x` as a new tensor."""
    return torch.mul(x, LOG2_E).exp2_() if _by_exp2(x) else torch.exp(x)


def exp_(x: torch.Tensor) -> torch.Tensor:
    """:math:`e^x` in place, on a tensor the caller owns."""
    return x.mul_(LOG2_E).exp2_() if _by_exp2(x) else x.exp_()


def logsumexp(x: torch.Tensor, dim: int) -> torch.Tensor:
    r""":math:`\log \sum e^{x}` along ``dim``, shifted by the largest entry as ``torch.logsumexp`` is, with :func:`exp_`.

    For finite entries and :math:`-\infty` (masked ones): a row of :math:`-\infty` only gives
    :math:`-\infty`, since its shift is the lowest finite number; :math:`+\infty` gives NaN.
    """
    top = x.amax(dim, keepdim=True).clamp_min_(torch.finfo(x.dtype).min)
    return exp_(x - top).sum(dim).log_().add_(top.squeeze(dim))
