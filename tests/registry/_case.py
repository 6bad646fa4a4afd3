"""What a registry entry is (``LossCase``, ``BadInput``) and the helpers every part's registry shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class BadInput:
    """A call that must raise ``error`` with a message matching ``match`` (a regex)."""

    args: Callable[[], tuple]
    kwargs: dict
    error: type[Exception]
    match: str


@dataclass(frozen=True)
class LossCase:
    """How the suite exercises one loss.

    Attributes:
        fn: the lossbook function.
        module: its module class.
        reference: the same loss by another route, called like ``fn``: the PyTorch built-in
            where there is one, or a plain formula differentiated by autograd.
        inputs: ``inputs(dtype, device, generator)`` returns the positional tensor arguments,
            away from kinks so that every gradient is defined.
        options: keyword options to cover (each is run with every reduction).
        grad_args: indices of the positional arguments that get a gradient.
        torch_op: the name of the op in PyTorch's ``op_db``, whose sample inputs the loss must
            reproduce; ``None`` for losses PyTorch lacks.
        extreme: ``extreme(dtype, device)`` returns arguments at extreme but finite values
            (residuals or logits of 1e4), at which value and gradients must stay finite.
        reductions: the values of ``reduction`` the loss accepts (``kl_div`` adds ``'batchmean'``).
        bad: calls that must raise.
        torch_through: ``torch_through(args)`` maps the arguments of each sample of ``torch_op``
            before both calls, and gradients are taken with respect to the sample's own tensors,
            through the map: ``ctc_loss`` passes ``log_probs`` through a ``log_softmax``, upstream
            of which PyTorch's gradient is the true one (on ``log_probs`` itself it is not).
        torch_tol: tolerances by dtype for the comparison with ``torch_op``'s samples, where
            they must be wider than the suite's (``ctc_loss`` in float32: sums over 50 frames,
            whose rounding PyTorch's own float32 kernel shares; ``tests/test_ctc.py`` bounds it).
        refused: ``refused(args, kwargs)`` is true for a sample input of ``torch_op`` that lossbook
            refuses by design, a documented strictness (a label outside {-1, +1} that PyTorch
            accepts silently); on those the loss must raise ``ValueError``.
    """

    fn: Callable
    module: type
    reference: Callable
    inputs: Callable[[torch.dtype, torch.device, torch.Generator], tuple]
    options: tuple[dict, ...] = ({},)
    grad_args: tuple[int, ...] = (0, 1)
    torch_op: str | None = None
    extreme: Callable[[torch.dtype, torch.device], tuple] | None = None
    reductions: tuple[str, ...] = ("none", "mean", "sum")
    bad: tuple[BadInput, ...] = field(default_factory=tuple)
    torch_through: Callable[[tuple], tuple] | None = None
    torch_tol: dict[torch.dtype, dict] | None = None
    refused: Callable[[tuple, dict], bool] | None = None

    @property
    def name(self) -> str:
        return self.fn.__name__


def shape_mismatch():
    return torch.zeros(3), torch.zeros(4)


def integer_input():
    return torch.zeros(3, dtype=torch.long), torch.zeros(3)


def positive_like_input(args: tuple, g: torch.Generator) -> torch.Tensor:
    """A positive tensor of the input's shape, dtype and device (an element-wise ``weight``)."""
    x = args[0]
    return (0.5 + torch.rand(x.shape, generator=g, dtype=torch.float64)).to(dtype=x.dtype, device=x.device)


def materialize(options: dict, args: tuple, g: torch.Generator) -> dict:
    """Build an option set for the given arguments.

    A callable option value is called as ``value(args, generator)``, so that the registry
    can name a tensor option (a weight, a variance) whose shape, dtype and device follow
    the inputs; other values are passed as they are.
    """
    return {key: value(args, g) if callable(value) else value for key, value in options.items()}


def reduce_reference(loss, reduction, weight=None):
    """Weight and reduce an element-wise reference loss the plain way (weighted mean for 'mean')."""
    if weight is not None:
        loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / (weight.sum() if weight is not None else loss.numel())

