r"""The Lovász hinge and the Lovász-softmax loss (Berman et al., 2018). Chapter: ``book/segmentation/lovasz.ipynb``.

Both losses are the **Lovász extension of the Jaccard loss** :math:`1 - \mathrm{IoU}`,
evaluated at a vector :math:`m \in \mathbb{R}^P` of per-pixel errors. Sort the errors in
decreasing order, :math:`m_{\pi_1} \ge \dots \ge m_{\pi_P}`, and let :math:`M_i = \{\pi_1, \ldots, \pi_i\}`
be the :math:`i` pixels with the largest errors; with :math:`G` the ground-truth foreground,
:math:`\Delta_J(M) = |M| / |G \cup M|` and :math:`\Delta_J(\emptyset) = 0`,

.. math::

    \overline{\Delta}_J(m) = \sum_{i=1}^P m_{\pi_i}\, g_i, \qquad
    g_i = \Delta_J(M_i) - \Delta_J(M_{i-1}) .

On each region of :math:`\mathbb{R}^P` where the order is fixed, :math:`\overline{\Delta}_J` is
linear with coefficients :math:`g`: the gradient with respect to :math:`m_{\pi_i}` is
:math:`g_i` (``lossbook.losses.segmentation.lovasz.lovasz_grad``), and at ties it is a subgradient (the extension is convex,
because :math:`\Delta_J` is submodular). Each loss's ``autograd.Function`` sorts once, computes
:math:`g` and the loss :math:`\sum_i m_{\pi_i} g_i`, and keeps :math:`g` scattered back to the
pixels, times :math:`\partial m / \partial(\text{input})`; the backward multiplies it by the
reduction's scale. Ignored pixels are sorted last with :math:`g = 0`: masks, not Python
filtering, so the losses compile as one graph and never read data on the host.

The gradient is piecewise constant in the errors, so its derivative is 0 wherever it exists:
the saved gradient is exact under ``create_graph=True`` too. (The softmax or sigmoid of
:func:`lovasz_softmax_loss` is applied outside the Function, so autograd gives its curvature.)
"""

from __future__ import annotations

import math
from numbers import Integral

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_class_target,
    check_in_interval,
    check_reduction,
    check_same_device,
    check_same_shape,
    check_tensor,
    device_assert,
    shape_str,
    values_checked,
)

ACTIVATIONS = ("softmax", "sigmoid", None)
CLASSES = ("present", "all")

# ---------------------------------------------------------------------------------------
# the gradient of the Lovász extension of the Jaccard loss


def lovasz_grad(gt_sorted: torch.Tensor, valid_sorted: torch.Tensor | None = None) -> torch.Tensor:
    r"""The gradient :math:`g` of the Lovász extension of the Jaccard loss with respect to the sorted errors.

    With the pixels ordered by decreasing error, :math:`M_i` the first :math:`i` of them,
    :math:`U_i = |G \cup M_i|` and :math:`I_i = |G \setminus M_i|` (the foreground not yet in
    :math:`M_i`), :math:`\Delta_J(M_i) = 1 - I_i / U_i` and

    .. math::

        g_i = \Delta_J(M_i) - \Delta_J(M_{i-1}) =
        \begin{cases}
            1 / U_i & \text{pixel } \pi_i \text{ in the foreground } (U_{i-1} = U_i), \\
            I_i / (U_i\, U_{i-1}) & \text{pixel } \pi_i \text{ in the background } (U_{i-1} = U_i - 1),
        \end{cases}

    with :math:`g_1 = 1` for a background pixel when :math:`G = \emptyset` (:math:`\Delta_J(\emptyset) = 0`).
    The original code computes :math:`1 - I_i / U_i` with cumulative sums and takes differences;
    the two cases give the same numbers without the cancellation of that difference.
    :math:`g \ge 0` and, over :math:`P \ge 1` valid pixels, :math:`\sum_i g_i = \Delta_J(\text{all}) = 1`.

    Args:
        gt_sorted: the ground truth (1 foreground, 0 background), floating point, ordered by
            decreasing error along the last dimension; any leading dimensions are batches.
        valid_sorted: optional boolean mask of the pixels that count, in the same order; the
            ignored ones must come after every valid one (sort them last) and hold 0 in
            ``gt_sorted``. Their :math:`g` is 0.

    Returns:
        :math:`g`, the shape and dtype of ``gt_sorted``.

    Example:
        >>> import torch
        >>> from lossbook.losses.segmentation.lovasz import lovasz_grad
        >>> lovasz_grad(torch.tensor([1.0, 0.0, 1.0, 0.0]))  # G = {1, 3}: 1/2, 1/6, 1/3, 0
        tensor([0.5000, 0.1667, 0.3333, 0.0000])

    Chapter: ``book/segmentation/lovasz.ipynb``.
    """
    gts = gt_sorted.sum(-1, keepdim=True)  # |G|
    fg_seen = gt_sorted.cumsum(-1)  # |G cap M_i|
    seen = torch.arange(1, gt_sorted.shape[-1] + 1, dtype=gt_sorted.dtype, device=gt_sorted.device)  # |M_i| = i
    if valid_sorted is None:
        step = 1 - gt_sorted  # 1 where pixel i is in the background: M_i gains a pixel outside G
    else:
        step = valid_sorted.to(gt_sorted.dtype).sub_(gt_sorted)  # 0 at ignored pixels
        seen = torch.minimum(seen, valid_sorted.sum(-1, keepdim=True).to(gt_sorted.dtype))  # valid pixels come first
    union = (seen - fg_seen).add_(gts)  # U_i = |G| + |M_i \ G|
    union_before = union - step  # U_{i-1}
    outside = fg_seen.neg_().add_(gts)  # I_i = |G \ M_i|
    # numerator over U_i U_{i-1}: I_i for a background pixel, U_i (= U_{i-1}) for a foreground one, 0 if ignored
    numerator = outside.mul_(step).addcmul_(gt_sorted, union)
    # G empty: the first (valid) pixel has U_0 = 0 and g_1 = Delta_J({pi_1}) = 1
    numerator[..., :1].add_(step[..., :1] * (gts == 0))
    return numerator.div_(union.mul_(union_before).clamp_(min=1))


def _image_count(invalid: torch.Tensor | None, batch: int, pixels: int):
    """The number of images with at least one valid pixel (at least 1): what the per-image ``'mean'`` divides by."""
    if invalid is None:
        return max(batch if pixels > 0 else 0, 1)
    return (~invalid.flatten(1).all(1)).sum().clamp(min=1)


# ---------------------------------------------------------------------------------------
# Lovász hinge (binary)


class _LovaszHinge(torch.autograd.Function):
    r"""The Lovász hinge of logits ``(B, P)``, one row per image (or one row for the batch), reduced inside.

    :math:`s = 2y - 1`, errors :math:`e = 1 - s\,x`, loss of a row :math:`\sum_i \max(0, e_{\pi_i})\, g_i`
    with :math:`\pi` sorting :math:`e` in decreasing order. Its gradient is
    :math:`\partial \ell / \partial x_j = -s_j\, [e_j > 0]\, g_{\pi^{-1}(j)}`, computed here in the
    forward (one ``scatter`` puts :math:`g` back at the pixels) and kept; the backward scales it.
    Ignored pixels (``invalid`` True) get the error :math:`-\infty`, so they sort last, and :math:`g = 0`.
    ``'mean'`` divides by ``denominator``, the number of rows with a valid pixel.
    """

    @staticmethod
    def forward(ctx, input, fg, invalid, denominator, reduction):
        minus_s = fg.mul(-2).add_(1)  # -s = 1 - 2y
        errors = (input * minus_s).add_(1)  # e = 1 - s x
        if invalid is not None:
            errors.masked_fill_(invalid, -torch.inf)
        hinge, perm = errors.sort(dim=-1, descending=True)
        g = lovasz_grad(fg.gather(-1, perm), None if invalid is None else hinge > -torch.inf)
        hinge.clamp_(min=0)  # max(0, e), in sorted order (the ignored pixels' -inf becomes 0)
        loss = (hinge * g).sum(-1)
        grad = None
        if ctx.needs_input_grad[0]:
            # d loss / d x_j = -s_j [e_j > 0] g at j's rank (0 at the kink e_j = 0, as relu's)
            grad = torch.empty_like(g).scatter_(-1, perm, g.mul_(hinge.sign_())).mul_(minus_s)
        ctx.save_for_backward(grad)
        ctx.reduction, ctx.denominator, ctx.rows = reduction, denominator, loss.shape
        return reduce(loss, reduction, denominator=denominator)

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, ctx.rows, denominator=ctx.denominator)
        return grad * (s.unsqueeze(-1) if s.dim() > 0 else s), None, None, None, None


def _check_options(fn: str, per_image, ignore_index, reduction) -> None:
    check_reduction(fn, reduction)
    check_bool(fn, "per_image", per_image)
    if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, Integral)):
        raise TypeError(f"{fn}: ignore_index must be an int or None, got {type(ignore_index).__name__}")


def _check_binary_values(fn: str, target: torch.Tensor, ignore_index: int | None) -> None:
    """Every value of ``target`` (ignored pixels already set to 0) is 0 or 1.

    A value check: see ``_validation.py`` for accelerators and compilation. Integer targets
    take one ``aminmax``; floating-point ones a comparison with 0 and 1.
    """
    if not values_checked(target):
        return
    t = target.detach()
    also = f" (or ignore_index={ignore_index})" if ignore_index is not None else ""
    if t.is_floating_point():
        ok = ((t == 0) | (t == 1)).all()
    else:
        lo, hi = torch.aminmax(t)
        ok = (lo >= 0) & (hi <= 1)
    if t.device.type != "cpu":
        device_assert(ok, f"{fn}: target must hold 0 and 1 only{also}")
    elif not ok:
        bad = (t != 0) & (t != 1)
        raise ValueError(f"{fn}: target must hold 0 and 1 only{also}, got the value {t[bad][0].item():g}")


def _check_binary_target(fn: str, target) -> None:
    check_tensor(fn, "target", target, floating=False)
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(
            f"{fn}: target must be an integer or floating-point tensor of 0s and 1s, got dtype {target.dtype}"
            + (" (use target.long() or target.float())" if target.dtype == torch.bool else "")
        )


def lovasz_hinge_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    per_image: bool = True,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Lovász hinge loss of binary segmentation logits (Berman et al., 2018): a convex surrogate of :math:`1 - \mathrm{IoU}`.

    For one image with logits :math:`x \in \mathbb{R}^P` and masks :math:`y \in \{0, 1\}^P`,
    :math:`s = 2y - 1` and the hinge errors :math:`e = 1 - s \odot x`; :math:`\pi` sorts
    :math:`e` in decreasing order and :math:`g` is ``lossbook.losses.segmentation.lovasz.lovasz_grad`` of the sorted masks:

    .. math::

        \ell = \sum_{i=1}^P \max(0, e_{\pi_i})\, g_i, \qquad
        \frac{\partial \ell}{\partial x_{\pi_i}} = -s_{\pi_i}\, [e_{\pi_i} > 0]\, g_i ,

    the Lovász extension of the Jaccard loss of the foreground at the hinge errors. It is an
    upper bound of :math:`1 - \mathrm{IoU}` of the prediction :math:`x > 0` (a mispredicted pixel
    has :math:`e \ge 1`, and the extension is non-decreasing and equals the Jaccard loss at the
    indicator vector of the mistakes), and it is convex in :math:`x`. At a tie of errors the gradient is the subgradient of the order
    :func:`torch.sort` returns; at the kink :math:`e = 0` it is 0, as for ``relu``.

    With ``per_image=True`` (the default, as in the original code) each image has its own
    Jaccard loss and the batch is averaged over images; with ``per_image=False`` the pixels of
    the whole batch form one set, and the loss is one number, whatever the ``reduction``.

    Peers: the original ``lovasz_hinge(logits, labels, per_image=True, ignore=None)`` gives
    the same values, except that an image whose pixels are all ignored counts as 0 in its
    per-image mean (lossbook leaves it out); smp's ``LovaszLoss('binary')`` is that code with
    ``per_image=False`` by default; kornia's ``lovasz_hinge_loss`` is always per image, takes
    ``(N, 1, H, W)`` logits and has no ``ignore_index``.

    Args:
        input: logits :math:`x`, floating point, one per pixel.
        target: the masks: 0 (background) and 1 (foreground), integer or floating point, or
            ``ignore_index``.
        per_image: one Jaccard loss per image, averaged (``True``), or one for the batch.
        ignore_index: a target value whose pixels count for nothing; an image with no other
            pixel is left out of the per-image mean (and is 0 under ``'none'``). If every pixel
            is ignored the loss is 0, with zero gradients.
        reduction: with ``per_image=True``, ``'none'`` gives the loss of each image, ``'mean'``
            their mean over the images that have a valid pixel, ``'sum'`` their sum. With
            ``per_image=False`` every reduction gives the batch's one loss.

    Shape:
        - input: :math:`(N, *)`, :math:`N` images of any spatial shape (:math:`(N)`: one pixel each).
        - target: :math:`(N, *)`, the input's shape.
        - output: a scalar, or :math:`(N)` with ``per_image=True`` and ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point, ``target`` is boolean or complex,
            ``per_image`` is not a bool or ``ignore_index`` not an int.
        ValueError: the shapes differ, ``target`` holds a value other than 0, 1 and
            ``ignore_index``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import lovasz_hinge_loss
        >>> x = torch.tensor([[2.0, -1.0, 0.5, -3.0], [1.0, 1.0, -2.0, 0.0]])
        >>> y = torch.tensor([[1, 0, 0, 0], [1, 1, 1, 0]])
        >>> lovasz_hinge_loss(x, y, reduction="none")
        tensor([0.7500, 1.1667])
        >>> lovasz_hinge_loss(x, y, per_image=False)
        tensor(1.0750)

    References:
        Berman, Rannen Triki and Blaschko, *The Lovász-Softmax loss: A tractable surrogate for
        the optimization of the intersection-over-union measure in neural networks*, CVPR 2018.

    Chapter: ``book/segmentation/lovasz.ipynb``.
    """
    fn = "lovasz_hinge_loss"
    check_tensor(fn, "input", input)
    _check_binary_target(fn, target)
    if input.dim() == 0:
        raise ValueError(f"{fn}: input must be (N, *spatial), with a batch dimension, got a scalar")
    check_same_shape(fn, "target", target, input)
    check_same_device(fn, "target", target, input)
    _check_options(fn, per_image, ignore_index, reduction)
    (x,) = upcast(input)
    shape = (x.shape[0], math.prod(x.shape[1:])) if per_image else (1, x.numel())
    x, t = x.reshape(shape), target.reshape(shape)
    invalid = None if ignore_index is None else t == ignore_index
    t = t if invalid is None else t.masked_fill(invalid, 0)
    _check_binary_values(fn, t, ignore_index)
    denominator = _image_count(invalid, *shape) if per_image and reduction == "mean" else None
    if isinstance(denominator, torch.Tensor):
        denominator = denominator.to(x.dtype)
    out = _LovaszHinge.apply(x, t.to(x.dtype), invalid, denominator, reduction if per_image else "sum")
    return out if out.dtype == input.dtype else out.to(input.dtype)


class LovaszHingeLoss(_Loss):
    """Module form of :func:`lovasz_hinge_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import LovaszHingeLoss
        >>> LovaszHingeLoss()(torch.tensor([[2.0, -1.0, 0.5, -3.0]]), torch.tensor([[1, 0, 0, 0]]))
        tensor(0.7500)
    """

    def __init__(self, per_image: bool = True, ignore_index: int | None = None, reduction: str = "mean") -> None:
        _check_options("LovaszHingeLoss", per_image, ignore_index, reduction)
        super().__init__(reduction, per_image=per_image, ignore_index=ignore_index)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return lovasz_hinge_loss(input, target, per_image=self.per_image, ignore_index=self.ignore_index, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# Lovász-softmax (multi-class)


class _LovaszSoftmax(torch.autograd.Function):
    r"""The Lovász-softmax of class probabilities ``(B, C, P)``, one row per image (or one for the batch), reduced inside.

    Errors :math:`m_c = |y_c - p_c|` for each class :math:`c`, the class's loss
    :math:`\ell_c = \sum_i m_{c, \pi_i} g_{c, i}` (:math:`\pi` sorting :math:`m_c`), and the row's loss
    :math:`\sum_c w_c \ell_c` with :math:`w_c = 1/C` (``'all'``) or :math:`1/|\text{present}|` on the
    classes present in the row's ground truth (``'present'``). Gradient:
    :math:`\partial / \partial p_{c,j} = w_c\, \operatorname{sign}(p_{c,j} - y_{c,j})\, g_{c, \pi^{-1}(j)}`,
    computed in the forward and kept. Ignored pixels get the error -1 (below every error), so
    they sort last, and :math:`g = 0`. ``'mean'`` divides by ``denominator``, the number of rows
    with a valid pixel.
    """

    @staticmethod
    def forward(ctx, p, fg, invalid, classes, denominator, reduction):
        diff = p - fg
        errors = diff.abs()
        if invalid is not None:
            errors.masked_fill_(invalid, -1.0)
        errors_sorted, perm = errors.sort(dim=-1, descending=True)
        g = lovasz_grad(fg.gather(-1, perm), None if invalid is None else errors_sorted >= 0)
        class_losses = (errors_sorted * g).sum(-1)  # (B, C); an ignored pixel adds -1 * 0
        if classes == "present":
            present = (fg.sum(-1) > 0).to(p.dtype)  # fg is 0 at ignored pixels
            weight = present.div_(present.sum(-1, keepdim=True).clamp(min=1))
        else:
            weight = torch.full_like(class_losses, 1.0 / p.shape[1])
        loss = (class_losses * weight).sum(-1)
        grad = None
        if ctx.needs_input_grad[0]:
            # d loss / d p_cj = w_c sign(p_cj - y_cj) g at j's rank (0 where p = y, as abs's)
            g.mul_(weight.unsqueeze(-1))
            grad = torch.empty_like(g).scatter_(-1, perm, g).mul_(diff.sign_())
        ctx.save_for_backward(grad)
        ctx.reduction, ctx.denominator, ctx.rows = reduction, denominator, loss.shape
        return reduce(loss, reduction, denominator=denominator)

    @staticmethod
    def backward(ctx, grad_output):
        (grad,) = ctx.saved_tensors
        s = grad_scale(grad_output, ctx.reduction, ctx.rows, denominator=ctx.denominator)
        return grad * (s.view(-1, 1, 1) if s.dim() > 0 else s), None, None, None, None, None


def _check_softmax_target(fn: str, input: torch.Tensor, target, ignore_index: int | None) -> None:
    """Class indices ``(N, *spatial)`` in ``[0, C)`` or ``ignore_index``, or a one-hot float mask ``(N, C, *spatial)`` of 0s and 1s."""
    check_tensor(fn, "target", target, floating=False)
    if not target.is_floating_point():
        check_class_target(fn, input, target, ignore_index=ignore_index)
        return
    if target.shape != input.shape:
        raise ValueError(
            f"{fn}: a floating-point target is a 0/1 mask of the input's shape {shape_str(input)}, got shape "
            f"{shape_str(target)} (class indices (N, *spatial) must be an integer tensor)"
        )
    check_same_device(fn, "target", target, input)
    if ignore_index is not None:
        raise ValueError(f"{fn}: ignore_index applies to class-index targets, not to a floating-point mask (got ignore_index={ignore_index})")
    _check_binary_values(fn, target, None)


def lovasz_softmax_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    activation: str | None = "softmax",
    classes: str = "present",
    per_image: bool = False,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Lovász-softmax loss of multi-class segmentation logits (Berman et al., 2018): a surrogate of :math:`1 - \mathrm{mIoU}`.

    With :math:`p = \operatorname{softmax}(x)` along the classes and the one-hot ground truth
    :math:`y`, each class :math:`c` has the errors :math:`m_c = |y_c - p_c| \in [0, 1]^P`, and
    the Lovász extension of its Jaccard loss at them (:math:`\pi` sorts :math:`m_c` in decreasing
    order, :math:`g_c` is ``lossbook.losses.segmentation.lovasz.lovasz_grad`` of the sorted :math:`y_c`):

    .. math::

        \ell = \frac{1}{|K|} \sum_{c \in K} \sum_{i=1}^P m_{c, \pi_i}\, g_{c, i}, \qquad
        \frac{\partial \ell}{\partial p_{c, \pi_i}} = \frac{1}{|K|}\, \operatorname{sign}(p_{c, \pi_i} - y_{c, \pi_i})\, g_{c, i} ,

    then :math:`\partial \ell / \partial x = p \odot (d - \langle p, d \rangle)` through the softmax
    (:math:`d = \partial \ell / \partial p`, per pixel), by autograd. :math:`K` is the set of classes
    present in the ground truth (``classes='present'``, the original's default) or all
    :math:`C` of them (``'all'``: an absent class contributes its largest probability). For
    one-hot :math:`p` the loss is :math:`1 - \mathrm{mIoU}` over :math:`K`.

    With ``per_image=False`` (the default, as in the original) the pixels of the whole batch
    form one set per class, and the loss is one number, whatever the ``reduction``; with
    ``per_image=True`` each image has its own loss (and its own present classes), averaged.

    Peers: the original ``lovasz_softmax(probas, labels, classes='present', per_image=False,
    ignore=None)`` takes probabilities: it is ``activation=None`` here, with the same values,
    except that in its per-image mean an image whose pixels are all ignored counts as 0
    (lossbook leaves it out); it also accepts a list of classes. smp's
    ``LovaszLoss('multiclass')`` softmaxes and calls that code (``per_image=False``). kornia's
    ``lovasz_softmax_loss`` softmaxes, is always per image, averages over all classes
    (``'all'``) and has no ``ignore_index``.

    Args:
        input: logits :math:`x` (or probabilities, with ``activation=None``), floating point.
        target: class indices (an integer tensor) in :math:`[0, C)` or ``ignore_index``; or a
            floating-point 0/1 mask of the input's shape (one-hot, or several classes per pixel).
        activation: ``'softmax'`` along dimension 1; ``'sigmoid'``, each channel on its own;
            ``None``: ``input`` already holds probabilities in :math:`[0, 1]`.
        classes: ``'present'`` averages over the classes in the ground truth (of the batch,
            or of each image with ``per_image=True``), ``'all'`` over all :math:`C`.
        per_image: one loss per image, averaged (``True``), or one for the batch.
        ignore_index: a class index whose pixels count for nothing (class-index targets only);
            an image with no other pixel is left out of the per-image mean (and is 0 under
            ``'none'``). If every pixel is ignored the loss is 0, with zero gradients.
        reduction: with ``per_image=True``, ``'none'`` gives the loss of each image, ``'mean'``
            their mean over the images that have a valid pixel, ``'sum'`` their sum. With
            ``per_image=False`` every reduction gives the batch's one loss.

    Shape:
        - input: :math:`(N, C, *)`, :math:`N` images of :math:`C` channels and any spatial shape.
        - target: :math:`(N, *)` class indices, or :math:`(N, C, *)` masks.
        - output: a scalar, or :math:`(N)` with ``per_image=True`` and ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point, ``target`` is neither an integer nor a
            floating-point tensor, ``per_image`` is not a bool or ``ignore_index`` not an int.
        ValueError: the shapes do not fit, a class index is out of range, a mask holds a value
            other than 0 and 1, ``activation='softmax'`` with one channel (its softmax is
            constant), ``activation=None`` with values outside :math:`[0, 1]`, ``ignore_index``
            with a mask, or ``activation``, ``classes`` or ``reduction`` is not one of its values.

    Example:
        >>> import torch
        >>> from lossbook.losses import lovasz_softmax_loss
        >>> x = torch.tensor([[[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 2.0]]])  # (1, 3 classes, 3 pixels)
        >>> y = torch.tensor([[0, 1, 1]])
        >>> lovasz_softmax_loss(x, y)  # classes 0 and 1 are present
        tensor(0.4195)
        >>> lovasz_softmax_loss(x, y, classes="all")
        tensor(0.5609)

    References:
        Berman, Rannen Triki and Blaschko, *The Lovász-Softmax loss: A tractable surrogate for
        the optimization of the intersection-over-union measure in neural networks*, CVPR 2018.

    Chapter: ``book/segmentation/lovasz.ipynb``.
    """
    fn = "lovasz_softmax_loss"
    check_tensor(fn, "input", input)
    if input.dim() < 2:
        raise ValueError(f"{fn}: input must be (N, C, *spatial), got shape {shape_str(input)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{fn}: activation must be one of 'softmax', 'sigmoid', None, got {activation!r}")
    if classes not in CLASSES:
        raise ValueError(f"{fn}: classes must be 'present' or 'all', got {classes!r}")
    if activation == "softmax" and input.shape[1] == 1:
        raise ValueError(f"{fn}: activation='softmax' over one channel is constant 1; use activation='sigmoid' or lovasz_hinge_loss")
    _check_options(fn, per_image, ignore_index, reduction)
    _check_softmax_target(fn, input, target, ignore_index)
    if activation is None:
        check_in_interval(fn, "input", input)
    (x,) = upcast(input)
    p = torch.softmax(x, dim=1) if activation == "softmax" else torch.sigmoid(x) if activation == "sigmoid" else x
    n, c = p.shape[:2]
    pixels = math.prod(p.shape[2:])
    p = p.reshape(n, c, pixels)
    if target.is_floating_point():
        invalid = None
        fg = target.reshape(n, c, pixels).to(p.dtype)
    else:
        t = target.reshape(n, 1, pixels)
        invalid = None if ignore_index is None else t == ignore_index
        fg = t == torch.arange(c, device=t.device).view(1, c, 1)
        if invalid is not None and 0 <= ignore_index < c:  # an ignored class index would match its own class
            fg &= ~invalid
        fg = fg.to(p.dtype)
    if not per_image:  # one set of pixels per class: (1, C, N P)
        p, fg = (a.transpose(0, 1).reshape(1, c, n * pixels) for a in (p, fg))
        invalid = None if invalid is None else invalid.transpose(0, 1).reshape(1, 1, n * pixels)
    denominator = _image_count(invalid, n, pixels) if per_image and reduction == "mean" else None
    if isinstance(denominator, torch.Tensor):
        denominator = denominator.to(p.dtype)
    out = _LovaszSoftmax.apply(p, fg, invalid, classes, denominator, reduction if per_image else "sum")
    return out if out.dtype == input.dtype else out.to(input.dtype)


class LovaszSoftmaxLoss(_Loss):
    """Module form of :func:`lovasz_softmax_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import LovaszSoftmaxLoss
        >>> x = torch.tensor([[[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 2.0]]])
        >>> LovaszSoftmaxLoss(classes="all")(x, torch.tensor([[0, 1, 1]]))
        tensor(0.5609)
    """

    def __init__(
        self,
        activation: str | None = "softmax",
        classes: str = "present",
        per_image: bool = False,
        ignore_index: int | None = None,
        reduction: str = "mean",
    ) -> None:
        name = "LovaszSoftmaxLoss"
        if activation not in ACTIVATIONS:
            raise ValueError(f"{name}: activation must be one of 'softmax', 'sigmoid', None, got {activation!r}")
        if classes not in CLASSES:
            raise ValueError(f"{name}: classes must be 'present' or 'all', got {classes!r}")
        _check_options(name, per_image, ignore_index, reduction)
        super().__init__(reduction, activation=activation, classes=classes, per_image=per_image, ignore_index=ignore_index)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return lovasz_softmax_loss(
            input,
            target,
            activation=self.activation,
            classes=self.classes,
            per_image=self.per_image,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )
