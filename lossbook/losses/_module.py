"""The base of every loss module class, like PyTorch's ``torch.nn.modules.loss._Loss``.

A module class is only its options and its ``forward``: its ``__init__`` checks the
options it adds (with the function's checks, named after the class) and hands them all to
:class:`_Loss`, which stores them (tensors as buffers, so that ``.to(device)`` moves them)
and lists them in ``repr`` in the order of its arguments; its ``forward`` calls the function with them.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from lossbook.losses._validation import REDUCTIONS, check_reduction


class _Loss(nn.Module):
    """Holds ``reduction`` and the other options of a loss, and shows them in ``repr``.

    Args:
        reduction: checked against ``allowed``.
        allowed: the reductions the loss accepts (``kl_div`` adds ``'batchmean'``).
        **options: the loss's other options, stored as attributes; a tensor (or a ``None``
            in place of one, named in ``buffers``) is registered as a buffer.
    """

    def __init__(
        self,
        reduction: str = "mean",
        *,
        allowed: tuple[str, ...] = REDUCTIONS,
        buffers: tuple[str, ...] = (),
        **options,
    ) -> None:
        super().__init__()
        check_reduction(type(self).__name__, reduction, allowed)
        self._option_names = (*options, "reduction")
        for name, value in options.items():
            if isinstance(value, torch.Tensor) or name in buffers:
                self.register_buffer(name, value)
            else:
                setattr(self, name, value)
        self.reduction = reduction

    def extra_repr(self) -> str:
        """The options that are not tensors, in the order of the class's ``__init__`` arguments."""
        order = [name for name in inspect.signature(type(self).__init__).parameters if name in self._option_names]
        shown = (name for name in order if name not in self._buffers and not isinstance(getattr(self, name), torch.Tensor))
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
