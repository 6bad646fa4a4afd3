r"""The exponential that the hand-written losses use: :math:`e^x = 2^{x \log_2 e}`.

The two are the same number, but not the same speed. With the CPU build of PyTorch that the
project pins (x86), ``torch.exp`` over :math:`2^{20}` float32 values takes three to four times as long as a
scale and a ``torch.exp2`` together (on the project's machine: ``README.md``, Benchmarks);
on a GPU both are a hardware instruction or two. Rounding :math:`x \log_2 e` costs a
relative error of about :math:`|x|` units in the last place: at most :math:`2 \cdot 10^{-6}`
in float32 for the :math:`x \ge -20` that make up a softmax's mass, and about
:math:`10^{-14}` in float64.
"""

from __future__ import annotations

import math

import torch

LOG2_E = math.log2(math.e)


def exp(x: torch.Tensor) -> torch.Tensor:
    """:math:`e^x` as a new tensor."""
    return torch.mul(x, LOG2_E).exp2_()


def exp_(x: torch.Tensor) -> torch.Tensor:
    """:math:`e^x` in place, on a tensor the caller owns."""
    return x.mul_(LOG2_E).exp2_()


def logsumexp(x: torch.Tensor, dim: int) -> torch.Tensor:
    r""":math:`\log \sum e^{x}` along ``dim``, shifted by the largest entry (as ``torch.logsumexp``), with :func:`exp_`.

    A row of :math:`-\infty` only gives :math:`-\infty` (its shift is the lowest finite number).
    """
    top = x.amax(dim, keepdim=True).clamp_min_(torch.finfo(x.dtype).min)
    return exp_(x - top).sum(dim).log_().add_(top.squeeze(dim))
