r"""Connectionist temporal classification (CTC). Chapter: ``book/structured/ctc.ipynb``.

A label sequence :math:`l` of length :math:`S` is extended with blanks into
:math:`l' = (b, l_1, b, l_2, \ldots, b, l_S, b)`, of length :math:`L = 2S + 1`. A frame-wise
path of length :math:`T` belongs to :math:`l` when removing repeats and then blanks gives
:math:`l`; the loss is :math:`-\log p(l \mid x)`, the summed probability of those paths. The
forward variables :math:`\alpha_t(s)` (paths that emit :math:`y_1 \ldots y_t` and sit at
:math:`l'_s` at time :math:`t`) and the backward variables :math:`\beta_t(s)` (what the rest
of the path, frames :math:`t + 1 \ldots T`, adds from there) obey

.. math::

    \alpha_t(s) = y_t(l'_s) \sum_{j \in \{0, 1, 2\}} [\text{allowed}]\, \alpha_{t-1}(s - j), \qquad
    \beta_t(s) = \sum_{j \in \{0, 1, 2\}} [\text{allowed}]\, y_{t+1}(l'_{s+j})\, \beta_{t+1}(s + j),

where the step of 2 (skipping a blank) is allowed only onto a label that differs from the one
two places back. Both run in log space, vectorised over the batch and the extended label:
the loops are over time only, a few tensor operations on ``(N, 2S + 1)`` per frame. The
gradient with respect to ``log_probs`` is :math:`-\gamma_t(k)`, the posterior probability
that frame :math:`t` emits :math:`k`; see :func:`ctc_loss` for how it differs from PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_integer_tensor,
    check_reduction,
    check_tensor,
    device_assert,
    shape_str,
    values_checked,
)

NEG_INF = float("-inf")


# ---------------------------------------------------------------------------------------
# The recursions, in log space, on the frame log-probabilities of the extended label


def _extend(labels: torch.Tensor, target_lengths: torch.Tensor, blank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The blank-extended labels :math:`l'` ``(N, 2S + 1)`` of padded labels ``(N, S)``, and where the skip is allowed.

    Entries past a sequence's target length become blanks. ``skip[n, s]`` is 0 where the
    step :math:`s - 2 \\to s` is allowed (:math:`l'_s` is a label that differs from
    :math:`l'_{s-2}`) and :math:`-\\infty` elsewhere, as a log-space mask.
    """
    n, s = labels.shape
    kept = torch.arange(s, device=labels.device) < target_lengths[:, None]
    labels = torch.where(kept, labels, blank)
    ext = torch.full((n, 2 * s + 1), blank, dtype=torch.int64, device=labels.device)
    ext[:, 1::2] = labels
    allowed = torch.zeros(n, 2 * s + 1, dtype=torch.bool, device=labels.device)
    allowed[:, 3::2] = (labels[:, 1:] != labels[:, :-1]) & kept[:, 1:]
    return ext, allowed


def _log_alpha(lpe: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
    r"""Forward variables :math:`\log \alpha_t(s)` ``(T, L + 2, N)``, the first two rows :math:`-\infty` (padding before :math:`s = 0`).

    ``lpe`` ``(T, L, N)`` holds :math:`\log y_t(l'_s)`, :math:`-\infty` at frames past a
    sequence's input length, so that :math:`\alpha` is :math:`-\infty` there too; ``skip``
    ``(L, N)`` is 0 where the step :math:`s - 2 \to s` is allowed, else :math:`-\infty`. The
    batch is the last dimension, so that each frame's rows are contiguous.
    """
    steps, length, n = lpe.shape
    a = lpe.new_empty((steps, length + 2, n))  # rows 2: of every frame are written below
    a[:, :2] = NEG_INF
    a[0, 2:] = NEG_INF
    k = min(2, length)
    a[0, 2 : 2 + k] = lpe[0, :k]  # a path starts with the first blank or the first label
    for t in range(1, steps):
        prev = a[t - 1]
        x = torch.logaddexp(prev[2:], prev[1:-1])  # stay at s, or come from s - 1
        x = torch.logaddexp(x, prev[:-2] + skip)  # or skip a blank, from s - 2, where allowed
        torch.add(x, lpe[t], out=a[t, 2:])
    return a


def _log_beta(lpe: torch.Tensor, skip: torch.Tensor, final: torch.Tensor, last: torch.Tensor) -> torch.Tensor:
    r"""Backward variables :math:`\log \beta_t(s)` ``(T, L, N)``: the log-probability of frames :math:`t + 1, \ldots` from :math:`(t, s)`.

    ``final`` ``(L, N)`` is :math:`\log \beta` at each sequence's last frame :math:`T_n - 1`
    (marked by ``last``, ``(T, 1, N)``): 0 at the two positions a path may end in (the last
    label and the blank after it) and :math:`-\infty` elsewhere. A constant added to ``final``
    is carried to every :math:`\log \beta_t`: the backward of :class:`_CTC` passes
    :math:`-\log p` there, which gives :math:`\log(\beta_t / p)`.
    """
    steps, length, n = lpe.shape
    b = lpe.new_empty((steps, length, n))
    b[steps - 1] = torch.where(last[steps - 1], final, NEG_INF)
    w = lpe.new_full((length + 2, n), NEG_INF)  # log y_{t+1}(l'_s) + log beta_{t+1}(s), padded after s = L - 1
    skip_ahead = torch.nn.functional.pad(skip[2:], (0, 0, 0, 2))  # the skip onto s + 2
    for t in range(steps - 2, -1, -1):
        torch.add(b[t + 1], lpe[t + 1], out=w[:length])
        x = torch.logaddexp(w[:length], w[1 : length + 1])  # stay at s, or move on to s + 1
        x = torch.logaddexp(x, w[2:] + skip_ahead)  # or skip a blank, onto s + 2, where allowed
        torch.where(last[t], final, x, out=b[t])  # a sequence's last frame starts from final
    return b


def _ends(target_lengths: torch.Tensor, length: int, dtype: torch.dtype) -> torch.Tensor:
    """``(L, N)``: 0 at :math:`s = 2 S_n` and, when :math:`S_n > 0`, :math:`s = 2 S_n - 1`; :math:`-\\infty` elsewhere."""
    s = torch.arange(length, device=target_lengths.device)[:, None]
    end = 2 * target_lengths
    ends = (s == end) | ((s == end - 1) & (end > 0))
    return torch.zeros((), dtype=dtype, device=target_lengths.device).masked_fill(~ends, NEG_INF)


def _log_mask(allowed: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """0 where ``allowed``, :math:`-\\infty` elsewhere."""
    return torch.zeros((), dtype=dtype, device=allowed.device).masked_fill(~allowed, NEG_INF)


class _CTC(torch.autograd.Function):
    r"""CTC of log-probabilities ``(T, N, C)`` and extended labels ``(N, L)``, reduced inside, with the gradient :math:`-\gamma`.

    The forward gathers :math:`\log y_t(l'_s)` once (``(T, L, N)``), runs the
    :math:`\alpha` recursion and reads :math:`\log p = \operatorname{lse}(\alpha_{T_n - 1}(2 S_n),
    \alpha_{T_n - 1}(2 S_n - 1))`; it keeps :math:`\alpha`. The backward runs the
    :math:`\beta` recursion (started from :math:`\log(1/p)`, so that it gives :math:`\beta / p`), forms :math:`\gamma_t(s) = \exp(\log\alpha_t(s) + \log\beta_t(s) - \log p)`
    in place, scales it by minus the reduction's scale, and adds it into the classes
    :math:`l'_s` with one ``scatter_add_``. A sample whose :math:`p = 0` (no path fits) has
    :math:`\gamma = 0/0`, NaN, unless ``zero_infinity``, which gives it 0.
    """

    @staticmethod
    def forward(ctx, log_probs, ext, allowed, input_lengths, target_lengths, reduction, zero_infinity):
        steps, n, n_classes = log_probs.shape
        length = ext.shape[1]
        index = ext.t().unsqueeze(0).expand(steps, length, n)
        frames = torch.arange(steps, device=log_probs.device)[:, None, None]
        lpe = log_probs.transpose(1, 2).gather(1, index).masked_fill_(frames >= input_lengths, NEG_INF)
        skip = _log_mask(allowed.t(), lpe.dtype)
        a = _log_alpha(lpe, skip)
        at_end = a[:, 2:].gather(0, (input_lengths - 1).clamp(min=0).view(1, 1, n).expand(1, length, n))[0]
        log_p = (at_end + _ends(target_lengths, length, lpe.dtype)).logsumexp(0)
        empty = (input_lengths == 0) & (target_lengths == 0)  # no frames and no labels: p = 1
        log_p = torch.where(empty, 0.0, log_p)
        loss = log_p.neg()
        if zero_infinity:
            loss = torch.where(torch.isinf(loss), 0.0, loss)
        weight = target_lengths.clamp(min=1).to(loss.dtype).reciprocal() if reduction == "mean" else None
        ctx.save_for_backward(lpe, a, skip, index, input_lengths, target_lengths, log_p, weight)
        ctx.options = (n_classes, reduction, zero_infinity)
        return reduce(loss, reduction, weight=weight, denominator=n if reduction == "mean" else None)

    @staticmethod
    @first_order("ctc_loss")
    def backward(ctx, grad_output):
        lpe, a, skip, index, input_lengths, target_lengths, log_p, weight = ctx.saved_tensors
        n_classes, reduction, zero_infinity = ctx.options
        steps, length, n = lpe.shape
        if zero_infinity:  # p = 0: gamma = exp(-inf - inf) = 0 instead of 0 / 0
            log_p = torch.where(torch.isneginf(log_p), float("inf"), log_p)
        last = torch.arange(steps, device=lpe.device)[:, None, None] == input_lengths - 1
        b = _log_beta(lpe, skip, _ends(target_lengths, length, lpe.dtype) - log_p, last)  # log(beta / p)
        scale = grad_scale(grad_output, reduction, torch.Size([n]), weight=weight, denominator=n if reduction == "mean" else None)
        gamma = exp_(b.add_(a[:, 2:]))  # gamma_t(s) = alpha_t(s) beta_t(s) / p, in the storage of beta
        gamma.mul_(scale.neg())
        grad = lpe.new_zeros((steps, n, n_classes))
        grad.transpose(1, 2).scatter_add_(1, index, gamma)  # sum over the positions s of each class
        return grad, None, None, None, None, None, None


# ---------------------------------------------------------------------------------------
# Arguments


def _lengths(fn: str, name: str, value, n: int, device: torch.device, *, batched: bool) -> torch.Tensor:
    """``input_lengths`` or ``target_lengths``: a sequence of ``n`` ints or an integer tensor of shape ``(n,)`` (``()`` unbatched), as ``(n,)`` int64."""
    if isinstance(value, torch.Tensor):
        check_integer_tensor(fn, name, value)
        if value.shape != (n,) and not (not batched and value.dim() == 0):
            expected = f"({n},), one per sequence" if batched else "() or (1,)"
            raise ValueError(f"{fn}: {name} must have shape {expected}, got shape {shape_str(value)}")
        return value.reshape(n).to(device=device, dtype=torch.int64)
    if isinstance(value, Sequence) and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value):
        if len(value) != n:
            raise ValueError(f"{fn}: {name} must have {n} entries, one per sequence, got {len(value)}")
        return torch.tensor([int(v) for v in value], dtype=torch.int64, device=device)
    raise TypeError(f"{fn}: {name} must be an integer tensor or a tuple or list of ints, got {type(value).__name__}")


def _check_range(fn: str, name: str, value, lengths: torch.Tensor, high: int, what: str) -> None:
    """Every entry of ``lengths`` in ``[0, high]``. Sequences are checked in Python, tensors as a value check (``_validation.py``)."""
    if not isinstance(value, torch.Tensor):
        bad = [v for v in value if not 0 <= v <= high]
        if bad:
            raise ValueError(f"{fn}: {name} must be in [0, {high}] ({what}), got {bad[0]}")
        return
    if not values_checked(value):
        return
    if value.device.type != "cpu":
        device_assert(((value >= 0) & (value <= high)).all(), f"{fn}: {name} must be in [0, {high}] ({what})")
        return
    lo, hi = (v.item() for v in torch.aminmax(value))
    if lo < 0 or hi > high:
        raise ValueError(f"{fn}: {name} must be in [0, {high}] ({what}), got {lo if lo < 0 else hi}")


def _check_labels(fn: str, targets: torch.Tensor, kept: torch.Tensor, n_classes: int, blank: int) -> None:
    """The labels within the target lengths are class indices in ``[0, C)`` other than ``blank``. A value check."""
    if not values_checked(targets):
        return
    ok = (targets >= 0) & (targets < n_classes) & (targets != blank)
    message = f"{fn}: targets must hold class indices in [0, {n_classes}) other than blank={blank}"
    if targets.device.type != "cpu":
        device_assert((ok | ~kept).all(), message)
        return
    bad = kept & ~ok
    if bad.any():
        value = targets[bad][0].item()
        why = "the blank index, which marks 'no label' and cannot be a label" if value == blank else "out of range"
        raise ValueError(f"{message}, got {value} ({why})")


def _padded_targets(fn, targets, target_lengths, tl, n, steps, n_classes, blank, device):
    """Targets as padded ``(N, S)`` labels on ``device``, checked within the target lengths."""
    if targets.dim() == 2:
        if targets.shape[0] != n:
            raise ValueError(f"{fn}: targets of shape {shape_str(targets)} must have N={n} rows, one per sequence")
        _check_range(fn, "target_lengths", target_lengths, tl, targets.shape[1], "targets.shape[1], the padded length")
        kept = torch.arange(targets.shape[1], device=targets.device) < tl.to(targets.device)[:, None]
        _check_labels(fn, targets, kept, n_classes, blank)
        return targets.to(device)
    # concatenated: sequence n's labels are targets[offset_n : offset_n + S_n]
    total = targets.numel()
    if isinstance(target_lengths, torch.Tensor):
        _check_range(fn, "target_lengths", target_lengths, tl, total, "the length of the concatenated targets")
        if values_checked(target_lengths) and target_lengths.device.type == "cpu":
            sum_ = int(target_lengths.sum())
            if sum_ > total:
                raise ValueError(f"{fn}: target_lengths sum to {sum_}, more than the {total} concatenated targets")
            width = int(target_lengths.max()) if n > 0 else 0  # the longest label: no work on padding
        else:
            width = min(total, steps)  # a static bound (no host read); longer labels cannot fit in T frames
    else:
        if sum(target_lengths) > total:
            raise ValueError(f"{fn}: target_lengths sum to {sum(target_lengths)}, more than the {total} concatenated targets")
        _check_range(fn, "target_lengths", target_lengths, tl, total, "the length of the concatenated targets")
        width = max(target_lengths, default=0)
    flat = targets.to(device)
    offsets = tl.cumsum(0) - tl
    positions = offsets[:, None] + torch.arange(width, device=device)
    kept = torch.arange(width, device=device) < tl[:, None]
    if total == 0:
        return torch.full((n, width), blank, dtype=torch.int64, device=device)
    padded = torch.where(kept, flat[positions.clamp(max=total - 1)], blank)
    _check_labels(fn, padded, kept, n_classes, blank)
    return padded


# ---------------------------------------------------------------------------------------
# The loss


def ctc_loss(
    log_probs: torch.Tensor,
    targets: torch.Tensor,
    input_lengths: torch.Tensor | Sequence[int],
    target_lengths: torch.Tensor | Sequence[int],
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> torch.Tensor:
    r"""Connectionist temporal classification loss (Graves et al., 2006); the arguments and values of :func:`torch.nn.functional.ctc_loss`.

    For sequence :math:`n` with frame log-probabilities :math:`\log y_t(k)` (``log_probs[t, n, k]``,
    :math:`t < T_n`) and labels :math:`l` of length :math:`S_n`,

    .. math::

        \ell_n = -\log p(l \mid x), \qquad
        p(l \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(l)} \prod_{t=1}^{T_n} y_t(\pi_t)
        = \alpha_{T_n}(2 S_n) + \alpha_{T_n}(2 S_n - 1), \\
        \frac{\partial \ell_n}{\partial \log y_t(k)} = -\gamma_t(k), \qquad
        \gamma_t(k) = \frac{1}{p(l \mid x)} \sum_{s:\, l'_s = k} \alpha_t(s)\, \beta_t(s),

    where :math:`\mathcal{B}` removes repeats, then blanks, :math:`l'` is :math:`l` with a blank
    before, between and after its labels, and :math:`\alpha`, :math:`\beta` are the forward
    and backward variables (the module docstring; the chapter derives them). :math:`\gamma_t(k)`
    is the posterior probability that frame :math:`t` emits :math:`k`, so
    :math:`\sum_k \gamma_t(k) = 1`. ``'mean'`` divides each :math:`\ell_n` by
    :math:`\max(S_n, 1)`, then averages over the batch, as PyTorch does.

    **The gradient is the true one, which is not PyTorch's.** PyTorch's backward returns
    :math:`y_t(k) - \gamma_t(k)` (pytorch#52241): the gradient with respect to the logits
    *before* a ``log_softmax``, written into ``log_probs``' gradient. The two agree on every
    parameter upstream of a ``log_softmax`` (or of any map that keeps :math:`\sum_k y_t(k) = 1`),
    because there :math:`\sum_k y_t(k)\, \partial \log y_t(k)/\partial\theta =
    \partial(\sum_k y_t(k))/\partial\theta = 0`: the extra term is lost in the chain rule. On
    ``log_probs`` that are not normalised (raw scores, a ``log_sigmoid``, a temperature applied
    after the ``log_softmax``) only :math:`-\gamma` is the derivative of the loss.

    **No fitting path.** A label needs :math:`S_n + r_n` frames, :math:`r_n` the number of
    repeats (``a a`` needs a blank between). With fewer, :math:`p = 0` for every value of
    ``log_probs``: the loss is ``inf`` and has no derivative. Its gradient is
    :math:`-\gamma = -0/0`, NaN, at that sequence's frames for the classes of :math:`l'` (the
    blank and the labels), and 0 for the other classes (PyTorch's is NaN at every class); the
    other sequences' gradients are not affected. ``zero_infinity=True`` gives loss 0 and
    gradient 0 there.

    Args:
        log_probs: frame log-probabilities :math:`\log y_t(k)`, usually a ``log_softmax``
            over the classes (blank included).
        targets: labels, an integer tensor: padded ``(N, S)`` (entries past a target length are
            ignored) or concatenated ``(sum(target_lengths),)``. Within the target lengths each
            is a class index in :math:`[0, C)` other than ``blank``.
        input_lengths: :math:`T_n \le T`, frames used of each sequence: an integer tensor ``(N,)``
            or a tuple or list of ints.
        target_lengths: :math:`S_n`, labels of each sequence (0 is allowed: the loss is then
            :math:`-\sum_t \log y_t(b)`): an integer tensor ``(N,)`` or a tuple or list of ints.
        blank: the blank's class index, in :math:`[0, C)`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.
        zero_infinity: give infinite losses (no fitting path) value 0 and gradient 0.

    Shape:
        - log_probs: :math:`(T, N, C)`, or :math:`(T, C)` for one unbatched sequence.
        - targets: :math:`(N, S)` or :math:`(\sum_n S_n)`; :math:`(S)` unbatched.
        - input_lengths, target_lengths: :math:`(N)`; :math:`()` or :math:`(1)` unbatched.
        - output: a scalar, or :math:`(N)` (:math:`()` unbatched) when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``log_probs`` (float16/bfloat16 are computed in float32,
        which PyTorch's CPU kernel does not accept).

    Raises:
        TypeError: ``log_probs`` is not floating point, ``targets`` or a length tensor is not
            an integer tensor, lengths are neither tensors nor sequences of ints, ``blank`` is
            not an int or ``zero_infinity`` not a bool.
        ValueError: a shape does not fit (``log_probs`` not 2-D or 3-D, lengths not one per
            sequence, targets with another number of rows); an input length outside
            :math:`[0, T]`; a target length negative or longer than the targets; ``blank``
            outside :math:`[0, C)`; a label outside :math:`[0, C)` or equal to ``blank``; a bad
            ``reduction``. Values are checked on CPU tensors; on accelerators they are a
            device-side assert, and under :func:`torch.compile` they are not checked.

    Example:
        >>> import torch
        >>> from lossbook.losses import ctc_loss
        >>> log_probs = torch.tensor([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.1, 0.4]]).log()
        >>> # paths of 3 frames that collapse to (1, 2): 1 1 2, 1 2 2, 0 1 2, 1 0 2, 1 2 0
        >>> ctc_loss(log_probs, torch.tensor([1, 2]), (3,), (2,), reduction="none")
        tensor(1.1940)
        >>> ctc_loss(log_probs.unsqueeze(1), torch.tensor([[1, 1]]), (3,), (2,), reduction="none")  # 1 0 1 only
        tensor([5.1160])
        >>> ctc_loss(log_probs.unsqueeze(1), torch.tensor([[1, 1]]), (2,), (2,), reduction="none")  # no path fits
        tensor([inf])

    References:
        Graves, Fernández, Gomez and Schmidhuber, *Connectionist Temporal Classification:
        Labelling Unsegmented Sequence Data with Recurrent Neural Networks*, ICML 2006.

    Chapter: ``book/structured/ctc.ipynb``.
    """
    fn = "ctc_loss"
    check_tensor(fn, "log_probs", log_probs)
    check_integer_tensor(fn, "targets", targets)
    check_reduction(fn, reduction)
    check_bool(fn, "zero_infinity", zero_infinity)
    if log_probs.dim() not in (2, 3):
        raise ValueError(f"{fn}: log_probs must have shape (T, N, C) or (T, C), got shape {shape_str(log_probs)}")
    batched = log_probs.dim() == 3
    steps, n_classes = log_probs.shape[0], log_probs.shape[-1]
    n = log_probs.shape[1] if batched else 1
    if isinstance(blank, bool) or not isinstance(blank, Integral):
        raise TypeError(f"{fn}: blank must be an int, got {type(blank).__name__}")
    if not 0 <= blank < n_classes:
        raise ValueError(f"{fn}: blank must be a class index in [0, {n_classes}), got {blank}")
    if targets.dim() not in ((1, 2) if batched else (1,)):
        expected = "(N, S) or (sum(target_lengths),)" if batched else "(S,) for unbatched log_probs"
        raise ValueError(f"{fn}: targets must have shape {expected}, got shape {shape_str(targets)}")
    device = log_probs.device
    il = _lengths(fn, "input_lengths", input_lengths, n, device, batched=batched)
    tl = _lengths(fn, "target_lengths", target_lengths, n, device, batched=batched)
    _check_range(fn, "input_lengths", input_lengths, il, steps, "T, log_probs.shape[0]")
    if not batched:
        targets = targets.unsqueeze(0)
    labels = _padded_targets(fn, targets, target_lengths, tl, n, steps, n_classes, int(blank), device)
    ext, allowed = _extend(labels, tl, int(blank))
    (x,) = upcast(log_probs if batched else log_probs.unsqueeze(1))
    out = _CTC.apply(x, ext, allowed, il, tl, reduction, zero_infinity)
    out = out if out.dtype == log_probs.dtype else out.to(log_probs.dtype)
    return out.squeeze(0) if not batched and reduction == "none" else out


class CTCLoss(_Loss):
    """Module form of :func:`ctc_loss`; the options of :class:`torch.nn.CTCLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import CTCLoss
        >>> log_probs = torch.tensor([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.1, 0.4]]).log().unsqueeze(1)
        >>> CTCLoss()(log_probs, torch.tensor([[1, 2]]), (3,), (2,))  # 1.1940 / 2 labels
        tensor(0.5970)
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        if isinstance(blank, bool) or not isinstance(blank, Integral) or blank < 0:
            raise ValueError(f"CTCLoss: blank must be a non-negative int, got {blank!r}")
        check_bool("CTCLoss", "zero_infinity", zero_infinity)
        super().__init__(reduction, blank=blank, zero_infinity=zero_infinity)

    def forward(self, log_probs, targets, input_lengths, target_lengths) -> torch.Tensor:
        return ctc_loss(
            log_probs, targets, input_lengths, target_lengths,
            blank=self.blank, reduction=self.reduction, zero_infinity=self.zero_infinity,
        )  # fmt: skip
