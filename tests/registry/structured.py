"""Registry entries of Part VI, rankings and sequences (``lossbook/losses/structured/``, ``book/structured/``)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lossbook import losses as L
from tests.registry._case import BadInput, LossCase

# --- pairwise-ranking.ipynb ---

PAIRWISE_RANKING: tuple[LossCase, ...] = ()


# --- listwise-ranking.ipynb ---

LISTWISE_RANKING: tuple[LossCase, ...] = ()


# --- ctc.ipynb ---

def _ctc_reference(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """PyTorch's loss through a ``log_softmax``, plus what the ``log_softmax`` took out: the exact loss of any ``log_probs``.

    With :math:`c_t = \\operatorname{lse}_k \\log y_t(k)`, every path's probability is
    :math:`\\prod_t e^{c_t}` times its probability under ``log_softmax(log_probs)``, so
    :math:`\\ell = \\ell_{\\text{torch}}(\\operatorname{log\\_softmax}(\\log y)) - \\sum_{t < T_n} c_t`. The value equals
    PyTorch's on normalised ``log_probs`` (:math:`c_t = 0`), and its autograd gradient is the true
    one, :math:`-\\gamma`: through the ``log_softmax`` PyTorch's :math:`y - \\gamma` becomes
    :math:`\\operatorname{softmax} - \\gamma`, and :math:`-\\sum_t c_t` adds :math:`-\\operatorname{softmax}`.
    """
    lp = (log_probs if log_probs.dim() == 3 else log_probs.unsqueeze(1)).double()  # in float64: the correction cancels
    lengths = torch.as_tensor(input_lengths, device=lp.device).reshape(-1)
    kwargs = dict(blank=blank, reduction="none")
    per = F.ctc_loss(lp.log_softmax(-1), targets, input_lengths, target_lengths, zero_infinity=zero_infinity, **kwargs)
    with torch.no_grad():
        fits = torch.isfinite(F.ctc_loss(lp.detach().log_softmax(-1), targets, input_lengths, target_lengths, **kwargs))
    within = torch.arange(lp.shape[0], device=lp.device)[:, None] < lengths
    per = per.reshape(-1) - torch.where(fits, (lp.logsumexp(-1) * within).sum(0), 0.0)
    if reduction == "mean":
        per = (per / torch.as_tensor(target_lengths, device=lp.device).reshape(-1).clamp(min=1)).mean()
    elif reduction == "sum":
        per = per.sum()
    elif log_probs.dim() == 2:
        per = per.squeeze(0)
    return per.to(log_probs.dtype)


def _ctc_inputs(dtype, device, g):
    """``(log_probs (8, 4, 5), padded targets (4, 3), input_lengths, target_lengths)``: labels in [1, 3] (blank 0 or 4), a repeat, an empty label."""
    log_probs = torch.randn((8, 4, 5), generator=g, dtype=torch.float64).log_softmax(-1)
    targets = torch.randint(1, 4, (4, 3), generator=g)
    targets[0, 1] = targets[0, 0]  # a repeated label: the skip over the blank between is not allowed
    lengths = torch.tensor([8, 6, 7, 5]), torch.tensor([3, 2, 0, 2])
    return log_probs.to(dtype=dtype, device=device), targets.to(device), *(t.to(device) for t in lengths)


def _ctc_extreme(dtype, device):
    # frame log-probabilities of -1e4 and below: the log-space recursions stay finite
    g = torch.Generator().manual_seed(0)
    log_probs = (1e4 * torch.randn((6, 2, 4), generator=g, dtype=torch.float64)).log_softmax(-1)
    return log_probs.to(dtype=dtype, device=device), torch.tensor([[1, 2], [3, 3]], device=device), torch.tensor([6, 5], device=device), torch.tensor([2, 2], device=device)


def _ctc_bad():
    lp = lambda: torch.randn(6, 2, 4).log_softmax(-1)  # noqa: E731
    tg = lambda: torch.tensor([[1, 2], [3, 1]])  # noqa: E731
    il, tl = torch.tensor([6, 5]), torch.tensor([2, 2])
    name = "ctc_loss"
    return (
        BadInput(lambda: (lp(), tg(), torch.tensor([7, 5]), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] \(T, log_probs.shape\[0\]\), got 7"),
        BadInput(lambda: (lp(), tg(), (6, 7), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] \(T, log_probs.shape\[0\]\), got 7"),
        BadInput(lambda: (lp(), tg(), torch.tensor([-1, 5]), tl), {}, ValueError, rf"{name}: input_lengths must be in \[0, 6\] .*, got -1"),
        BadInput(lambda: (lp(), tg(), il, torch.tensor([3, 2])), {}, ValueError, rf"{name}: target_lengths must be in \[0, 2\] \(targets.shape\[1\], the padded length\), got 3"),
        BadInput(lambda: (lp(), tg(), il, (2, -1)), {}, ValueError, rf"{name}: target_lengths must be in \[0, 2\] .*, got -1"),
        BadInput(lambda: (lp(), torch.tensor([1, 2, 3]), il, torch.tensor([2, 2])), {}, ValueError, rf"{name}: target_lengths sum to 4, more than the 3 concatenated targets"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": 4}, ValueError, rf"{name}: blank must be a class index in \[0, 4\), got 4"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": -1}, ValueError, rf"{name}: blank must be a class index in \[0, 4\), got -1"),
        BadInput(lambda: (lp(), torch.tensor([[1, 0], [3, 1]]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices in \[0, 4\) other than blank=0, got 0 \(the blank index"),
        BadInput(lambda: (lp(), tg(), il, tl), {"blank": 3}, ValueError, rf"{name}: targets must hold class indices .* other than blank=3, got 3"),
        BadInput(lambda: (lp(), torch.tensor([[1, 4], [3, 1]]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices in \[0, 4\) other than blank=0, got 4 \(out of range\)"),
        BadInput(lambda: (lp(), torch.tensor([1, 2, 5, 1]), il, tl), {}, ValueError, rf"{name}: targets must hold class indices .*, got 5 \(out of range\)"),
        BadInput(lambda: (lp(), tg().float(), il, tl), {}, TypeError, rf"{name}: targets must be an integer tensor of class indices, got dtype torch.float32"),
        BadInput(lambda: (lp(), tg(), il.float(), tl), {}, TypeError, rf"{name}: input_lengths must be an integer tensor of class indices, got dtype torch.float32"),
        BadInput(lambda: (lp(), tg(), il, 2), {}, TypeError, rf"{name}: target_lengths must be an integer tensor or a tuple or list of ints, got int"),
        BadInput(lambda: (lp().long(), tg(), il, tl), {}, TypeError, rf"{name}: log_probs must be a floating-point tensor, got dtype torch.int64"),
        BadInput(lambda: (torch.zeros(4), tg(), il, tl), {}, ValueError, rf"{name}: log_probs must have shape \(T, N, C\) or \(T, C\), got shape \(4,\)"),
        BadInput(lambda: (lp(), tg(), torch.tensor([6, 5, 4]), tl), {}, ValueError, rf"{name}: input_lengths must have shape \(2,\), one per sequence, got shape \(3,\)"),
        BadInput(lambda: (lp(), tg(), (6,), tl), {}, ValueError, rf"{name}: input_lengths must have 2 entries, one per sequence, got 1"),
        BadInput(lambda: (lp(), torch.tensor([[1, 2]]), il, tl), {}, ValueError, rf"{name}: targets of shape \(1, 2\) must have N=2 rows, one per sequence"),
        BadInput(lambda: (lp(), tg(), il, tl), {"zero_infinity": 1}, TypeError, rf"{name}: zero_infinity must be a bool, got int"),
    )


CTC: tuple[LossCase, ...] = (
    LossCase(
        fn=L.ctc_loss,
        module=L.CTCLoss,
        reference=_ctc_reference,
        inputs=_ctc_inputs,
        options=({}, {"blank": 4, "zero_infinity": True}),
        grad_args=(0,),
        torch_op="nn.functional.ctc_loss",
        torch_through=lambda args: (args[0].log_softmax(-1), *args[1:]),
        torch_tol={torch.float32: dict(rtol=1e-4, atol=5e-4)},  # losses near 200: float32 log-space sums (test_ctc.py)
        extreme=_ctc_extreme,
        bad=_ctc_bad(),
    ),
)


REGISTRY: tuple[LossCase, ...] = PAIRWISE_RANKING + LISTWISE_RANKING + CTC
