"""Registry entries of Part II, regression (``lossbook/losses/regression/``, ``book/regression/``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import (
    BadInput,
    LossCase,
    integer_input,
    positive_like_input,
    reduce_reference,
    shape_mismatch,
)


def _pair(shape=(4, 3)):
    def inputs(dtype, device, g):
        return (
            torch.randn(shape, generator=g, dtype=torch.float64).to(dtype=dtype, device=device),
            torch.randn(shape, generator=g, dtype=torch.float64).to(dtype=dtype, device=device),
        )

    return inputs


def _pair_away_from_kinks(kinks=(0.0, 0.5, 1.0, 2.0), shape=(4, 3), margin=0.15):
    """``(input, target)`` whose residuals ``|input - target|`` keep ``margin`` from every kink.

    For losses with a kink or a switch of formula at ``|r| = 0``, ``delta`` or ``beta``: the
    residual magnitudes are spread over the gaps between consecutive kinks (and one gap beyond
    the last), so that every branch is exercised and finite differences never cross a kink.
    """
    edges = sorted(kinks) + [max(kinks) + 1.0]
    gaps = [(lo + margin, hi - margin) for lo, hi in zip(edges, edges[1:])]

    def inputs(dtype, device, g):
        n = torch.Size(shape).numel()
        lo = torch.tensor([gaps[i % len(gaps)][0] for i in range(n)], dtype=torch.float64)
        hi = torch.tensor([gaps[i % len(gaps)][1] for i in range(n)], dtype=torch.float64)
        size = lo + (hi - lo) * torch.rand(n, generator=g, dtype=torch.float64)
        sign = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < 0.5, -1.0, 1.0)
        target = torch.randn(n, generator=g, dtype=torch.float64)
        input = target + sign * size
        return tuple(t.reshape(shape).to(dtype=dtype, device=device) for t in (input, target))

    return inputs


def _extreme_pair(dtype, device):
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, device=device)
    return x, torch.zeros_like(x)


def _log_cosh_reference(input, target, *, reduction="mean", delta=1.0, weight=None):
    return reduce_reference(delta**2 * torch.log(torch.cosh((input - target) / delta)), reduction, weight)


def _quantile_reference(input, target, *, quantile=0.5, reduction="mean", weight=None):
    u = target - input  # pinball: tau * u for u >= 0, (tau - 1) * u for u < 0
    return reduce_reference(torch.maximum(quantile * u, (quantile - 1) * u), reduction, weight)


def _barron_reference(input, target, *, alpha=1.0, scale=1.0, reduction="mean", weight=None):
    z = ((input - target) / scale) ** 2
    if isinstance(alpha, torch.Tensor):  # tensor alphas in the options avoid 0, 2 and -inf: the formula as it is
        b = (alpha - 2).abs()
        loss = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
    elif alpha == 2:  # L2
        loss = z / 2
    elif alpha == 0:  # Cauchy / Lorentzian
        loss = torch.log(z / 2 + 1)
    elif alpha == float("-inf"):  # Welsch
        loss = 1 - torch.exp(-z / 2)
    else:  # Barron (2019), eq. 1
        b = abs(alpha - 2)
        loss = b / alpha * ((z / b + 1) ** (alpha / 2) - 1)
    return reduce_reference(loss, reduction, weight)


def _gaussian_inputs(dtype, device, g):
    """``(mean, target, var)``, the variances in [0.2, 1.2]: above every ``eps`` the options use."""
    mean, target = (torch.randn((4, 3), generator=g, dtype=torch.float64) for _ in range(2))
    var = 0.2 + torch.rand((4, 3), generator=g, dtype=torch.float64)
    return tuple(t.to(dtype=dtype, device=device) for t in (mean, target, var))


def _gaussian_extreme(dtype, device):
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, device=device)
    var = torch.tensor([0.0, 1e4, 1e-8, 2.0], dtype=dtype, device=device)  # 0 and 1e-8 are clamped to eps
    return x, torch.zeros_like(x), var


def _poisson_inputs(dtype, device, g):
    """``(rate or log-rate, counts)``: inputs in [0.2, 2.2], valid for both ``log_input`` values;
    targets in [0, 5.2], kept 0.1 away from 1, where ``full``'s Stirling term switches on."""
    rate = 0.2 + 2 * torch.rand((4, 3), generator=g, dtype=torch.float64)
    target = 5 * torch.rand((4, 3), generator=g, dtype=torch.float64)
    target = torch.where((target - 1).abs() < 0.1, target + 0.2, target)
    return rate.to(dtype=dtype, device=device), target.to(dtype=dtype, device=device)


def _poisson_extreme(dtype, device):
    # log-rates of -1e4 and 80: e^80 ~ 5.5e34 is close to float32's largest number (e^1e4 overflows any dtype)
    x = torch.tensor([-1e4, 80.0, 0.5, -3.0], dtype=dtype, device=device)
    return x, torch.tensor([0.0, 1e4, 3.0, 1e4], dtype=dtype, device=device)


def _clamped(value, eps):
    """``max(value, eps)`` whose gradient passes through the clamp, as F.gaussian_nll_loss treats ``var``."""
    return value + (value.clamp(min=eps) - value).detach()


def _beta_nll_reference(input, target, var, *, beta=0.5, eps=1e-6, reduction="mean"):
    """Seitzer et al.'s beta-NLL: the Gaussian NLL of each element times the detached var^beta."""
    v = _clamped(var, eps)
    return reduce_reference(0.5 * (torch.log(v) + (input - target) ** 2 / v) * v.detach() ** beta, reduction)


def _student_t_reference(input, target, scale, *, df, eps=1e-6, reduction="mean"):
    return reduce_reference(-torch.distributions.StudentT(df, input, _clamped(scale, eps)).log_prob(target), reduction)


REGISTRY: tuple[LossCase, ...] = (
    LossCase(
        fn=L.mse_loss,
        module=L.MSELoss,
        reference=F.mse_loss,
        inputs=_pair(),
        options=({}, {"weight": positive_like_input}),
        torch_op="nn.functional.mse_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"mse_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"mse_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"mse_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.l1_loss,
        module=L.L1Loss,
        reference=F.l1_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"weight": positive_like_input}),
        torch_op="nn.functional.l1_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"l1_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"l1_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"l1_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.huber_loss,
        module=L.HuberLoss,
        reference=F.huber_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"delta": 0.5}, {"delta": 2.0}, {"delta": float("inf")}, {"delta": 2.0, "weight": positive_like_input}),
        torch_op="nn.functional.huber_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"huber_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": 0.0}, ValueError, r"huber_loss: delta must be in \(0, inf\], got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": -1.0}, ValueError, r"huber_loss: delta must be in \(0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": float("nan")}, ValueError, r"huber_loss: delta must be in \(0, inf\], got nan"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": "1"}, TypeError, r"huber_loss: delta must be a real number, got str"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"huber_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.smooth_l1_loss,
        module=L.SmoothL1Loss,
        reference=F.smooth_l1_loss,
        inputs=_pair_away_from_kinks(),
        options=({}, {"beta": 0.0}, {"beta": 0.5}, {"beta": 2.0}),
        torch_op="nn.functional.smooth_l1_loss",
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"smooth_l1_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"smooth_l1_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"beta": -0.5}, ValueError, r"smooth_l1_loss: beta must be in \[0, inf\], got -0.5"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"beta": float("nan")}, ValueError, r"smooth_l1_loss: beta must be in \[0, inf\], got nan"),
        ),
    ),
    LossCase(
        fn=L.log_cosh_loss,
        module=L.LogCoshLoss,
        reference=_log_cosh_reference,
        inputs=_pair(),
        options=({}, {"weight": positive_like_input}, {"delta": 0.5}, {"delta": 3.0, "weight": positive_like_input}),
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"log_cosh_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": 0.0}, ValueError, r"log_cosh_loss: delta must be in \(0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": float("inf")}, ValueError, r"log_cosh_loss: delta must be in \(0, inf\), got inf"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"delta": torch.tensor(1.0)}, TypeError, r"log_cosh_loss: delta must be a real number, got Tensor"),
            BadInput(integer_input, {}, TypeError, r"log_cosh_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"weight": torch.ones(2)}, ValueError, r"log_cosh_loss: weight shape \(2,\) does not match input shape \(3,\)"),
        ),
    ),
    LossCase(
        fn=L.quantile_loss,
        module=L.QuantileLoss,
        reference=_quantile_reference,
        inputs=_pair(),
        options=({}, {"quantile": 0.1}, {"quantile": 0.95, "weight": positive_like_input}),
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"quantile_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": 1.5}, ValueError, r"quantile_loss: quantile must be in \(0, 1\), got 1.5"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": 0.0}, ValueError, r"quantile_loss: quantile must be in \(0, 1\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"quantile": torch.tensor(0.5)}, TypeError, r"quantile_loss: quantile must be a real number, got Tensor"),
        ),
    ),
    LossCase(
        fn=L.barron_loss,
        module=L.BarronLoss,
        reference=_barron_reference,
        inputs=_pair(),
        options=(
            {},
            {"alpha": 2.0, "scale": 0.5},
            {"alpha": 0.0},
            {"alpha": -2.0, "scale": 0.7},
            {"alpha": float("-inf"), "scale": 2.0},
            {"alpha": 0.5, "weight": positive_like_input},
            {"alpha": 3.0},
            {"alpha": lambda args, g: torch.tensor(0.5, dtype=args[0].dtype, device=args[0].device),
             "scale": lambda args, g: torch.tensor(0.8, dtype=args[0].dtype, device=args[0].device)},  # 0-d tensors
            {"alpha": lambda args, g: torch.tensor([-1.0, 0.5, 1.5], dtype=args[0].dtype, device=args[0].device),
             "scale": lambda args, g: torch.tensor([0.5, 1.0, 2.0], dtype=args[0].dtype, device=args[0].device),
             "weight": positive_like_input},  # one alpha and c per column of the (4, 3) input
        ),
        extreme=_extreme_pair,
        bad=(
            BadInput(shape_mismatch, {}, ValueError, r"barron_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"scale": 0.0}, ValueError, r"barron_loss: scale must be in \(0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": float("inf")}, ValueError, r"barron_loss: alpha must be in \[-inf, inf\), got inf"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": float("nan")}, ValueError, r"barron_loss: alpha must be in \[-inf, inf\), got nan"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": torch.ones(2)}, ValueError, r"barron_loss: alpha shape \(2,\) does not broadcast to input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"scale": torch.tensor([1.0, 0.0, 1.0])}, ValueError, r"barron_loss: scale values must be in \(0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3)), {"alpha": torch.tensor(1)}, TypeError, r"barron_loss: alpha must be a floating-point tensor, got dtype torch.int64"),
        ),
    ),
    LossCase(
        fn=L.gaussian_nll_loss,
        module=L.GaussianNLLLoss,
        reference=F.gaussian_nll_loss,
        inputs=_gaussian_inputs,
        options=({}, {"full": True}, {"eps": 0.1}),
        grad_args=(0, 1, 2),
        torch_op="nn.functional.gaussian_nll_loss",
        extreme=_gaussian_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.zeros(4), torch.ones(3)), {}, ValueError, r"gaussian_nll_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3), torch.ones(2)), {}, ValueError, r"gaussian_nll_loss: var shape \(2,\) does not match input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.tensor([1.0, -0.5, 1.0])), {}, ValueError, r"gaussian_nll_loss: var values must be in \[0, inf\], got values in \[-0.5, 1\]"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), -1.0), {}, ValueError, r"gaussian_nll_loss: var must be non-negative .*got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3, dtype=torch.long)), {}, TypeError, r"gaussian_nll_loss: var must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"eps": -1e-6}, ValueError, r"gaussian_nll_loss: eps must be in \[0.0, inf\], got -1e-06"),
        ),
    ),
    LossCase(
        fn=L.poisson_nll_loss,
        module=L.PoissonNLLLoss,
        reference=F.poisson_nll_loss,
        inputs=_poisson_inputs,
        options=({}, {"full": True}, {"log_input": False}, {"log_input": False, "full": True, "eps": 1e-3}),
        torch_op="nn.functional.poisson_nll_loss",
        extreme=_poisson_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.zeros(4)), {}, ValueError, r"poisson_nll_loss: target shape \(4,\) does not match input shape \(3,\)"),
            BadInput(integer_input, {}, TypeError, r"poisson_nll_loss: input must be a floating-point tensor, got dtype torch.int64"),
            BadInput(lambda: (torch.ones(3), torch.ones(3)), {"log_input": False, "eps": -1.0}, ValueError, r"poisson_nll_loss: eps must be in \[0.0, inf\], got -1.0"),
        ),
    ),
    LossCase(
        fn=L.beta_nll_loss,
        module=L.BetaNLLLoss,
        reference=_beta_nll_reference,
        inputs=_gaussian_inputs,
        options=({}, {"beta": 0.0}, {"beta": 1.0, "eps": 0.1}),
        # not the variance: its weight var^beta is detached by design, so gradcheck's finite
        # differences of the value differ from the gradient; tests/test_probabilistic.py checks it
        grad_args=(0, 1),
        extreme=_gaussian_extreme,
        bad=(
            BadInput(lambda: (torch.zeros(4, 3), torch.zeros(4, 3), torch.ones(2)), {}, ValueError, r"beta_nll_loss: var shape \(2,\) does not match input shape \(4, 3\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.tensor([1.0, -0.5, 1.0])), {}, ValueError, r"beta_nll_loss: var values must be in \[0, inf\]"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"beta": -1.0}, ValueError, r"beta_nll_loss: beta must be in \[0.0, inf\], got -1.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"beta": torch.tensor(0.5)}, TypeError, r"beta_nll_loss: beta must be a real number, got Tensor"),
        ),
    ),
    LossCase(
        fn=L.student_t_nll_loss,
        module=L.StudentTNLLLoss,
        reference=_student_t_reference,
        inputs=_gaussian_inputs,  # the third argument, in [0.2, 1.2], is the scale
        options=({"df": 3.0}, {"df": 1.0}, {"df": 30.0, "eps": 0.1}),
        grad_args=(0, 1, 2),
        # no `extreme`: the suite calls it without options and df has no default;
        # tests/test_probabilistic.py checks extreme inputs
        bad=(
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(2)), {"df": 3.0}, ValueError, r"student_t_nll_loss: scale shape \(2,\) does not match input shape \(3,\)"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.tensor([1.0, -0.5, 1.0])), {"df": 3.0}, ValueError, r"student_t_nll_loss: scale values must be in \[0, inf\]"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"df": 0.0}, ValueError, r"student_t_nll_loss: df must be in \(0.0, inf\), got 0.0"),
            BadInput(lambda: (torch.zeros(3), torch.zeros(3), torch.ones(3)), {"df": torch.tensor(3.0)}, TypeError, r"student_t_nll_loss: df must be a real number, got Tensor"),
        ),
    ),
)
