r"""What the overlap losses of Part IV share: input handling, the soft sums, and the backward through them.

Dice, generalized Dice, Tversky and focal Tversky are all a function of three soft sums per
sample and class (chapters ``book/segmentation/dice.ipynb`` and ``tversky.ipynb``). Everything
but that function lives here, once.

**Inputs** (checked by :func:`check_overlap_args`, called by :func:`overlap_loss`):

- ``input``: ``(N, C, *spatial)`` floating point; ``activation='softmax'`` (over dim 1,
  needs ``C >= 2``), ``'sigmoid'`` (each channel on its own) or ``None`` (``input`` already holds
  probabilities, which must lie in :math:`[0, 1]`).
- ``target``: class indices, an integer tensor ``(N, *spatial)`` with values in
  :math:`[0, C)`, one-hot encoded inside (the backward adds at each pixel's own class instead of
  multiplying by the one-hot tensor); with ``C = 1`` the
  indices are the 0/1 mask of that one channel (binary segmentation). Or a floating-point
  tensor ``(N, C, *spatial)`` with values in :math:`[0, 1]` (soft or one-hot masks), which is
  differentiated.
- ``include_background=False`` drops channel 0 from the sums (it needs ``C >= 2``); with a
  softmax the background still takes part in the normalisation, so it still gets a gradient.
- ``batch=True`` pools the sums over the batch: one set of sums per class instead of one
  per sample and class.
- ``weight``: optional, one entry per input channel, non-negative; it multiplies the
  per-class loss (a per-class loss only); the background's entry is unused when
  ``include_background=False``. ``'mean'`` divides the weighted sum by the number of
  per-class losses, as MONAI does (not by the sum of the weights).

**The sums.** With :math:`p` the probabilities, :math:`t` the (one-hot or soft) target and
:math:`k = 2` if ``squared`` else :math:`k = 1`, summed over the spatial positions (and over the
batch with ``batch=True``), for each kept class:

.. math::

    \mathrm{tp} = \sum p\,t, \qquad \mathrm{sp} = \sum p^k, \qquad \mathrm{st} = \sum t^k .

For ``k = 1``, :math:`\mathrm{fp} = \sum p (1 - t) = \mathrm{sp} - \mathrm{tp}` and
:math:`\mathrm{fn} = \sum (1 - p) t = \mathrm{st} - \mathrm{tp}` (:func:`tp_fp_fn`,
:func:`grads_from_tp_fp_fn`). These are MONAI's default sums (``soft_label=False``).

**The contract of a ratio.** A loss writes one function

``ratio(tp, sp, st, *options) -> (loss, d_tp, d_sp, d_st)``

of the sums, each of shape ``(N, K)`` (``K`` kept classes) or ``(K,)`` with ``batch=True``. It
returns its loss, either per class (the sums' shape) or one per sample (the sums' shape
without its last dimension: generalized Dice pools the classes), and the derivatives of that
loss's elements with respect to each sum, of the sums' shape: :math:`\partial \ell_{nc} /
\partial \mathrm{tp}_{nc}` for a per-class loss, :math:`\partial \ell_n / \partial
\mathrm{tp}_{nc}` for a per-sample one. It may work in place on the sums (they are its own)
and must not branch in Python on tensor values. :func:`overlap_function` turns it into a
``torch.autograd.Function``, and :func:`overlap_loss` checks the arguments and calls that.

**The backward** (one pass over the pixels, written here once). With :math:`a` the upstream
gradient of each element of ``loss`` (the reduction's scale, times ``weight``) times the
ratio's derivatives, broadcast over the pixels:

.. math::

    \frac{\partial L}{\partial p} = a_{\mathrm{tp}}\, t + a_{\mathrm{sp}}\, k p^{k-1}, \qquad
    \frac{\partial L}{\partial t} = a_{\mathrm{tp}}\, p + a_{\mathrm{st}}\, k t^{k-1},

then through the activation to the logits: for the sigmoid
:math:`\partial L/\partial x = \partial L/\partial p \cdot p(1 - p)`, for the softmax
:math:`\partial L/\partial x_c = p_c\,(g_c - \sum_j p_j g_j)` with :math:`g = \partial L/\partial p`.
The derivatives with respect to the sums are computed in the forward (they are small), so
the backward is marked :func:`~lossbook.losses._autograd.first_order`.

Chapter: ``book/segmentation/dice.ipynb`` (and ``tversky.ipynb``, which uses the same machinery).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_class_indices,
    check_in_interval,
    check_number,
    check_reduction,
    check_same_device,
    check_tensor,
    shape_str,
)

ACTIVATIONS = ("softmax", "sigmoid", None)

Ratio = Callable[..., tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]

__all__ = [
    "ACTIVATIONS",
    "check_overlap_args",
    "grads_from_tp_fp_fn",
    "overlap_function",
    "overlap_loss",
    "tp_fp_fn",
]


def tp_fp_fn(tp: torch.Tensor, sp: torch.Tensor, st: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The true-positive, false-positive and false-negative sums from the three sums (``squared=False``).

    :math:`\mathrm{fp} = \sum p(1 - t) = \mathrm{sp} - \mathrm{tp}`,
    :math:`\mathrm{fn} = \sum (1 - p) t = \mathrm{st} - \mathrm{tp}`, clamped at 0 against rounding.
    """
    return tp, (sp - tp).clamp_min_(0), (st - tp).clamp_min_(0)


def grads_from_tp_fp_fn(
    d_tp: torch.Tensor, d_fp: torch.Tensor, d_fn: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""A ratio's derivatives with respect to (tp, fp, fn) turned into those with respect to (tp, sp, st).

    Since :math:`\mathrm{fp} = \mathrm{sp} - \mathrm{tp}` and :math:`\mathrm{fn} = \mathrm{st} - \mathrm{tp}`:
    :math:`\partial/\partial\mathrm{tp} = d_\mathrm{tp} - d_\mathrm{fp} - d_\mathrm{fn}`,
    :math:`\partial/\partial\mathrm{sp} = d_\mathrm{fp}`, :math:`\partial/\partial\mathrm{st} = d_\mathrm{fn}`.
    ``d_tp`` is updated in place.
    """
    return d_tp.sub_(d_fp).sub_(d_fn), d_fp, d_fn


def _index_mask(target: torch.Tensor, n_classes: int) -> torch.Tensor:
    """One-hot of class indices ``(N, S)`` as a bool mask ``(N, C, S)``; with ``C = 1`` the 0/1 mask itself."""
    if n_classes == 1:
        return (target != 0).unsqueeze(1)
    classes = torch.arange(n_classes, device=target.device).view(1, n_classes, 1)
    return target.unsqueeze(1) == classes


def _sums(p: torch.Tensor, t: torch.Tensor, squared: bool, t_is_mask: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """tp, sp, st over the last dimension of ``(N, C, S)`` tensors: each ``(N, C)``."""
    tf = t.to(p.dtype) if t_is_mask else t
    tp = torch.linalg.vecdot(p, tf)
    sp = torch.linalg.vecdot(p, p) if squared else p.sum(-1)
    if t_is_mask or not squared:
        st = tf.sum(-1)  # t^2 = t for a 0/1 mask
    else:
        st = torch.linalg.vecdot(t, t)
    return tp, sp, st


def overlap_function(ratio: Ratio, name: str) -> type[torch.autograd.Function]:
    """A ``torch.autograd.Function`` for the loss ``ratio`` of the soft sums (see the module docstring).

    ``apply(x, target, weight, options, activation, skip, batch, squared, reduction)`` with
    ``x`` the logits (or probabilities) ``(N, C, S)``, ``target`` class indices ``(N, S)`` or
    a float target ``(N, C, S)``, ``weight`` ``(K,)`` or ``None`` (a per-class ``ratio`` only),
    ``options`` the tuple of the ratio's extra arguments, ``skip`` whether channel 0 is
    dropped. ``name`` is the loss's name, for the error raised under ``create_graph=True``;
    the class is named after it (``dice_loss``: ``_DiceLoss``, so its graph node is
    ``_DiceLossBackward``) and belongs to the ratio's module.
    """

    def forward(ctx, x, target, weight, options, activation, skip, batch, squared, reduction):
        n_classes = x.shape[1]
        if activation == "softmax":
            p = torch.softmax(x, dim=1)
        elif activation == "sigmoid":
            p = torch.sigmoid(x)
        else:
            p = x
        index = not target.is_floating_point()
        t = _index_mask(target, n_classes) if index else target
        tp, sp, st = _sums(p, t, squared, index)
        if batch:
            tp, sp, st = tp.sum(0), sp.sum(0), st.sum(0)
        if skip:
            tp, sp, st = tp[..., 1:], sp[..., 1:], st[..., 1:]
        loss, d_tp, d_sp, d_st = ratio(tp, sp, st, *options)
        ctx.save_for_backward(p, target, weight, d_tp, d_sp, d_st)
        ctx.config = (activation, skip, batch, squared, reduction, index, loss.shape)
        denominator = loss.numel() if weight is not None else None
        return reduce(loss, reduction, weight=weight, denominator=denominator)

    @first_order(name)
    def backward(ctx, grad_output):
        p, target, weight, d_tp, d_sp, d_st = ctx.saved_tensors
        activation, skip, batch, squared, reduction, index, loss_shape = ctx.config
        denominator = loss_shape.numel() if weight is not None else None
        s = grad_scale(grad_output, reduction, loss_shape, weight=weight, denominator=denominator)
        s = s.expand(loss_shape)
        while s.dim() < d_tp.dim():  # a per-sample loss: one scale for all its classes
            s = s.unsqueeze(-1)
        coefficients = []
        for d in (d_tp, d_sp, d_st):
            a = d * s
            if skip:  # channel 0 took no part in the sums
                a = torch.nn.functional.pad(a, (1, 0))
            a = a.unsqueeze(-1)  # over the pixels
            coefficients.append(a.unsqueeze(0) if batch else a)  # (N or 1, C, 1)
        a_tp, a_sp, a_st = coefficients
        want_x, want_t = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_x = grad_t = None
        if want_x:
            # dL/dp = a_tp t + a_sp k p^(k-1)
            if index:  # one-hot t: add a_tp at each pixel's own class (one write per pixel, no mask)
                g = p * (2 * a_sp) if squared else a_sp.expand(p.shape).clone()
                y = target.unsqueeze(1) if p.shape[1] > 1 else None
                if y is None:  # one channel: the 0/1 mask itself
                    g.addcmul_(a_tp, (target != 0).unsqueeze(1).to(p.dtype))
                else:
                    g.scatter_add_(1, y, a_tp.expand(p.shape).gather(1, y))
            else:
                g = torch.addcmul(a_sp * 2 * p, a_tp, target) if squared else torch.addcmul(a_sp, a_tp, target)
            if activation == "softmax":
                g.mul_(p)  # p g
                g.addcmul_(p, g.sum(1, keepdim=True), value=-1)  # p (g - sum_j p_j g_j)
            elif activation == "sigmoid":
                g.mul_(p)
                g.addcmul_(g, p, value=-1)  # g p (1 - p)
            grad_x = g
        if want_t and not index:
            grad_t = torch.addcmul(a_st * 2 * target, a_tp, p) if squared else torch.addcmul(a_st, a_tp, p)
        return grad_x, grad_t, None, None, None, None, None, None, None

    class_name = "_" + "".join(part.title() for part in name.split("_"))
    namespace = {"forward": staticmethod(forward), "backward": staticmethod(backward), "__module__": ratio.__module__}
    return type(class_name, (torch.autograd.Function,), namespace)


def check_overlap_args(
    fn: str,
    input,
    target,
    *,
    activation,
    include_background,
    batch,
    smooth_nr,
    smooth_dr,
    reduction,
    squared=False,
    weight=None,
) -> int:
    """Check the arguments every overlap loss shares; returns the number of input channels ``C``.

    Type, shape, device and option checks always run; value checks (class indices in range,
    probabilities and soft targets in :math:`[0, 1]`, a non-negative weight) follow
    ``_validation``'s rules: a ``ValueError`` on CPU, a device-side assert on accelerators,
    nothing while ``torch.compile`` traces.
    """
    check_tensor(fn, "input", input)
    if input.dim() < 2 or input.shape[1] == 0:
        raise ValueError(f"{fn}: input must have shape (N, C, *spatial) with C >= 1, got shape {shape_str(input)}")
    n_classes = input.shape[1]
    if activation not in ACTIVATIONS:
        raise ValueError(f"{fn}: activation must be one of 'softmax', 'sigmoid', None, got {activation!r}")
    for name, value in (("include_background", include_background), ("batch", batch), ("squared", squared)):
        check_bool(fn, name, value)
    check_number(fn, "smooth_nr", smooth_nr, low=0.0)
    check_number(fn, "smooth_dr", smooth_dr, low=0.0)
    check_reduction(fn, reduction)
    if activation == "softmax" and n_classes == 1:
        raise ValueError(
            f"{fn}: activation='softmax' needs at least 2 channels, got input shape {shape_str(input)}: "
            "the softmax of one channel is the constant 1; use activation='sigmoid' for one channel"
        )
    if not include_background and n_classes == 1:
        raise ValueError(
            f"{fn}: include_background=False needs at least 2 channels (channel 0 is the background), "
            f"got input shape {shape_str(input)}"
        )
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"{fn}: target must be a torch.Tensor, got {type(target).__name__}")
    check_same_device(fn, "target", target, input)
    if target.is_floating_point():
        if target.shape != input.shape:
            raise ValueError(
                f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}: "
                "a floating-point target holds one mask per channel, (N, C, *spatial)"
            )
    elif target.is_complex() or target.dtype == torch.bool:
        raise TypeError(
            f"{fn}: target must be an integer tensor of class indices (N, *spatial) or a floating-point "
            f"tensor (N, C, *spatial), got dtype {target.dtype}"
        )
    else:
        expected = input.shape[:1] + input.shape[2:]
        if target.shape != expected:
            raise ValueError(
                f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}: "
                f"class indices need shape {tuple(expected)}, the input's shape without its channel dimension"
            )
    if weight is not None:
        check_tensor(fn, "weight", weight)
        if weight.shape != (n_classes,):
            raise ValueError(
                f"{fn}: weight must have shape ({n_classes},), one entry per input channel, got shape {shape_str(weight)}"
            )
        check_same_device(fn, "weight", weight, input)
        check_in_interval(fn, "weight", weight, 0.0, float("inf"))
    # value checks last, once everything cheap has passed
    if target.is_floating_point():
        check_in_interval(fn, "target", target)
    else:
        check_class_indices(fn, target, max(n_classes, 2))
    if activation is None:
        check_in_interval(fn, "input", input)
    return n_classes


def overlap_loss(
    function: type[torch.autograd.Function],
    input: torch.Tensor,
    target: torch.Tensor,
    options: tuple,
    *,
    activation,
    include_background: bool,
    batch: bool,
    squared: bool = False,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Run an :func:`overlap_function` on checked arguments (call :func:`check_overlap_args` first).

    Flattens the spatial dimensions, computes half precision in float32, and returns the
    loss in the input's dtype: ``'none'`` gives the ratio's loss (``(N, K)``, ``(K,)``,
    ``(N,)`` or a scalar), ``'mean'`` and ``'sum'`` a scalar. A ``weight`` that requires a
    gradient is applied outside the Function, so that autograd differentiates it.
    """
    n, c = input.shape[:2]
    x, t, w = upcast(input, target if target.is_floating_point() else None, weight)
    x = x.reshape(n, c, -1)
    t = t.reshape(n, c, -1) if t is not None else target.reshape(n, -1)
    skip = not include_background
    if w is not None:
        w = (w[1:] if skip else w).to(x.dtype)
    if w is not None and w.requires_grad:
        loss = function.apply(x, t, None, options, activation, skip, batch, squared, "none")
        out = reduce(loss, reduction, weight=w, denominator=loss.numel(), dtype=input.dtype)
    else:
        out = function.apply(x, t, w, options, activation, skip, batch, squared, reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)
