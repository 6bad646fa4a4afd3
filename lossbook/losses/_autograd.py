"""What the hand-written backwards share beyond reduction and validation.

Most backwards are written with differentiable operations, so that autograd can
differentiate them again (``create_graph=True``: Hessians, gradient penalties). Some
compute the chapter's gradient in the forward, or overwrite a saved tensor in place, to be
fast; differentiating their result again would silently give zero for the loss's second
derivative. Those backwards are marked with :func:`first_order`, which raises instead.
"""

from __future__ import annotations

import functools

import torch


def first_order(loss: str):
    """Mark a Function's ``backward`` as giving first derivatives only.

    Under ``create_graph=True`` (grad mode is on inside ``backward``) it raises a
    ``RuntimeError`` that names ``loss`` and the way out, instead of returning a gradient
    whose own derivative would be silently missing.
    """

    def decorate(backward):
        @functools.wraps(backward)
        def wrapper(ctx, *grad_outputs):
            if torch.is_grad_enabled():
                raise RuntimeError(
                    f"{loss}: its hand-written backward gives first derivatives only; for second "
                    "derivatives (create_graph=True) differentiate the plain formula with autograd "
                    "or use the PyTorch built-in"
                )
            return backward(ctx, *grad_outputs)

        return wrapper

    return decorate
