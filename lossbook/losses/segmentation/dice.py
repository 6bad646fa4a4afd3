r"""Soft Dice and generalized Dice losses. Chapter: ``book/segmentation/dice.ipynb``.

Both are ratios of the soft sums :math:`\mathrm{tp} = \sum p t`, :math:`\mathrm{sp} = \sum p^k`,
:math:`\mathrm{st} = \sum t^k` of :mod:`lossbook.losses.segmentation._common`, which holds the
input handling (activation, one-hot targets, background, per-sample or batch sums) and the
backward through the sums. This module writes only the two ratios and their derivatives
with respect to the sums. The semantics are MONAI's (``monai.losses.DiceLoss`` and
``GeneralizedDiceLoss``, with ``smooth_nr`` and ``smooth_dr`` apart), with the activation
named explicitly and the strict checks of the issue: a one-channel softmax and a one-channel
``include_background=False`` raise where MONAI warns and ignores the option, and probabilities
outside :math:`[0, 1]` (``activation=None``) raise where MONAI does not check them.
"""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._validation import check_bool, check_number
from lossbook.losses.segmentation._common import ACTIVATIONS, check_overlap_args, overlap_function, overlap_loss

__all__ = ["DiceLoss", "GeneralizedDiceLoss", "dice_loss", "generalized_dice_loss"]

W_TYPES = ("square", "simple", "uniform")


def _dice_ratio(tp, sp, st, smooth_nr, smooth_dr):
    r"""Per class: :math:`\ell = 1 - r`, :math:`r = (2\,\mathrm{tp} + s_{nr}) / D`, :math:`D = \mathrm{sp} + \mathrm{st} + s_{dr}`.

    :math:`\partial\ell/\partial\mathrm{tp} = -2/D` and
    :math:`\partial\ell/\partial\mathrm{sp} = \partial\ell/\partial\mathrm{st} = r/D`.
    """
    den = sp.add_(st).add_(smooth_dr)  # D (sp is this function's own)
    r = tp.mul(2).add_(smooth_nr).div_(den)
    d_sums = r / den  # dl/dsp = dl/dst
    d_tp = den.reciprocal_().mul_(-2)  # D is not needed after this
    return r.neg().add_(1), d_tp, d_sums, d_sums


def _class_weights(st, w_type):
    r"""Sudre's class weights from the target volumes, with MONAI's absent classes, and their derivative.

    ``'square'`` :math:`1/\mathrm{st}^2`, ``'simple'`` :math:`1/\mathrm{st}`, ``'uniform'`` 1. A
    class whose weight is infinite (absent from the target, :math:`\mathrm{st} = 0`) gets the
    largest finite weight of its row, as in MONAI. Returns the weights, the derivative of each
    finite weight with respect to its own :math:`\mathrm{st}` (0 for the absent classes), the
    absent-class mask and the index of the largest finite weight of each row.
    """
    if w_type == "uniform":
        w = torch.ones_like(st)
        return w, torch.zeros_like(st), torch.zeros_like(st, dtype=torch.bool), None
    raw = st.reciprocal()
    if w_type == "square":
        raw.square_()
    absent = torch.isinf(raw)
    finite = raw.masked_fill_(absent, 0.0)
    power = 2.0 if w_type == "square" else 1.0
    dw = torch.where(absent, 0.0, -power * finite / torch.where(absent, 1.0, st))  # d(st^-power)/dst
    largest, argmax = finite.max(dim=-1, keepdim=True)
    w = finite + absent * largest
    return w, dw, absent, argmax


def _generalized_dice_ratio(tp, sp, st, w_type, smooth_nr, smooth_dr):
    r"""Per sample, pooled over classes: :math:`\ell = 1 - (2 \sum_c w_c \mathrm{tp}_c + s_{nr}) / (\sum_c w_c (\mathrm{sp}_c + \mathrm{st}_c) + s_{dr})`.

    With :math:`D` the denominator and :math:`r` the ratio:
    :math:`\partial\ell/\partial\mathrm{tp}_c = -2 w_c / D`,
    :math:`\partial\ell/\partial\mathrm{sp}_c = r w_c / D`,
    :math:`\partial\ell/\partial\mathrm{st}_c = r w_c / D + \frac{\partial \ell}{\partial w_c} \frac{d w_c}{d\,\mathrm{st}_c}`
    with :math:`\partial\ell/\partial w_c = -(2\,\mathrm{tp}_c - r(\mathrm{sp}_c + \mathrm{st}_c)) / D`; the
    weight an absent class borrows is the largest one's, so its :math:`\partial\ell/\partial w` is
    added to that class's.
    """
    w, dw, absent, argmax = _class_weights(st, w_type)
    union = sp + st
    den = (w * union).sum(-1, keepdim=True).add_(smooth_dr)
    r = (w * tp).sum(-1, keepdim=True).mul_(2).add_(smooth_nr).div_(den)
    w_over_den = w / den
    d_tp = w_over_den * -2
    d_sp = w_over_den.mul_(r)
    d_st = d_sp.clone()
    if argmax is not None:
        d_w = union.mul_(r).sub_(tp, alpha=2).div_(den)  # dl/dw_c
        borrowed = (d_w * absent).sum(-1, keepdim=True)  # what the absent classes owe the largest weight
        d_w.masked_fill_(absent, 0.0).scatter_add_(-1, argmax, borrowed)
        d_st.addcmul_(d_w, dw)
    return r.squeeze(-1).neg_().add_(1), d_tp, d_sp, d_st


_DiceLoss = overlap_function(_dice_ratio, "dice_loss")
_GeneralizedDiceLoss = overlap_function(_generalized_dice_ratio, "generalized_dice_loss")


def dice_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    activation: str | None = "softmax",
    include_background: bool = True,
    squared: bool = False,
    batch: bool = False,
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Soft Dice loss (Milletari et al., 2016), one per sample and class, with MONAI's semantics.

    With :math:`p` the probabilities (the activation of ``input``), :math:`t` the one-hot or
    soft target, sums over the pixels of each sample (and over the batch with ``batch=True``)
    and :math:`k = 2` if ``squared`` else 1:

    .. math::

        \ell_{c} = 1 - \frac{2 \sum p_c t_c + s_{nr}}{\sum p_c^k + \sum t_c^k + s_{dr}}
                 = 1 - \frac{2\,\mathrm{tp}_c + s_{nr}}{D_c}, \\
        \frac{\partial \ell_c}{\partial p_{c,i}} = -\frac{2\, t_{c,i}}{D_c}
            + \frac{2\,\mathrm{tp}_c + s_{nr}}{D_c^2}\, k\, p_{c,i}^{k-1}

    and through the activation to the logits: :math:`\partial\ell/\partial x = g \odot p(1 - p)`
    for the sigmoid, :math:`p \odot (g - \sum_j p_j g_j)` for the softmax. A soft target gets
    the symmetric gradient :math:`-2 p_{c,i} / D_c + (2\mathrm{tp}_c + s_{nr}) k t_{c,i}^{k-1} / D_c^2`.

    **Empty masks.** Where a class is absent from the target and predicted nowhere,
    :math:`\ell = 1 - s_{nr}/s_{dr}` (0 with the defaults); any prediction mass :math:`P` there
    gives :math:`1 - s_{nr}/(P + s_{dr})`, about 1 once :math:`P \gg s_{dr}`, with gradient
    :math:`s_{nr}/(P + s_{dr})^2` per unit of :math:`p`. ``smooth_nr=0`` makes every empty class a
    loss of 1 whatever is predicted (and a gradient of 0), ``smooth_dr=0`` makes an empty
    class predicted nowhere 0/0 (NaN): keep ``smooth_dr > 0``.

    **How peers differ.**

    - *MONAI* ``DiceLoss``: the same formula and defaults, but no activation unless asked
      (``sigmoid=True``/``softmax=True``), one-hot encoding only with ``to_onehot_y=True``, a
      one-channel softmax or ``include_background=False`` warns and is ignored,
      ``weight`` has one entry per *kept* class (here one per input channel), and ``'none'``
      keeps singleton spatial dimensions ``(N, C, 1, 1)``.
    - *segmentation_models_pytorch* ``DiceLoss``: sums over the batch and the pixels together
      (``batch=True`` here), ``smooth=0`` in numerator and denominator plus ``eps`` as a
      ``clamp_min`` of the denominator, and a class with no target pixel in the batch gets a
      loss of 0 (and no gradient) that still counts in the mean over the classes (here it
      counts with the loss above).
    - *kornia* ``dice_loss``: always a softmax, class-index targets, 2-D images only, no
      numerator smoothing (``eps`` in the denominator only: an empty class costs 1), and
      ``average='micro'`` pools the classes.
    - *optax* ``dice_loss``: classes on the last axis, one ``smooth=1.0`` added to numerator
      and denominator alike, written as the Tversky index with
      :math:`\alpha = \beta = 1/2`.

    Args:
        input: logits ``(N, C, *spatial)`` (probabilities with ``activation=None``).
        target: class indices, an integer tensor ``(N, *spatial)`` in :math:`[0, C)` (with
            ``C = 1``: the 0/1 mask of the one channel), or a float tensor
            ``(N, C, *spatial)`` in :math:`[0, 1]`, which gets a gradient.
        activation: ``'softmax'`` over the channels (needs ``C >= 2``), ``'sigmoid'`` per
            channel, or ``None`` when ``input`` already holds probabilities in :math:`[0, 1]`.
        include_background: ``False`` leaves channel 0 out of the loss (needs ``C >= 2``);
            with a softmax it still takes part in the normalisation.
        squared: sums of squares :math:`\sum p^2`, :math:`\sum t^2` in the denominator (Milletari's form).
        batch: pool the sums over the batch: one Dice per class instead of one per sample and class.
        smooth_nr: added to the numerator :math:`2\,\mathrm{tp}`, :math:`\ge 0`.
        smooth_dr: added to the denominator, :math:`\ge 0`.
        weight: optional non-negative weight per input channel, shape ``(C,)``, multiplying
            each class's loss; the background's entry is unused when ``include_background=False``.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` divides the (weighted) sum by the
            number of per-class losses, as MONAI does.

    Shape:
        - input: :math:`(N, C, *)`.
        - target: :math:`(N, *)` integer, or :math:`(N, C, *)` floating point.
        - output: a scalar, or with ``reduction='none'`` :math:`(N, C')` (:math:`(C',)` with
          ``batch=True``), :math:`C' = C` or :math:`C - 1` without the background.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` is not floating point, ``target`` is neither an integer nor a
            floating-point tensor, an option has the wrong type.
        ValueError: shapes do not match, a class index is out of range, a soft target or
            (``activation=None``) an input is outside :math:`[0, 1]`, a softmax or
            ``include_background=False`` on one channel, a negative smoothing term or
            weight, ``weight`` not of shape ``(C,)``, a bad ``activation`` or ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import dice_loss
        >>> x = torch.tensor([[[2.0, -1.0, 0.5, -2.0]], [[-1.0, 1.0, 1.0, -1.0]]]).view(2, 1, 4)
        >>> y = torch.tensor([[1, 0, 1, 0], [0, 1, 0, 0]])
        >>> dice_loss(x, y, activation="sigmoid", reduction="none")
        tensor([[0.2274],
                [0.5126]])
        >>> dice_loss(x, y, activation="sigmoid", batch=True)  # one Dice over the batch
        tensor(0.3516)

    References:
        Milletari, Navab and Ahmadi, *V-Net: Fully Convolutional Neural Networks for Volumetric
        Medical Image Segmentation*, 3DV 2016. MONAI, ``monai.losses.DiceLoss``.

    Chapter: ``book/segmentation/dice.ipynb``.
    """
    fn = "dice_loss"
    check_overlap_args(
        fn,
        input,
        target,
        activation=activation,
        include_background=include_background,
        batch=batch,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        reduction=reduction,
        squared=squared,
        weight=weight,
    )
    return overlap_loss(
        _DiceLoss,
        input,
        target,
        (float(smooth_nr), float(smooth_dr)),
        activation=activation,
        include_background=include_background,
        batch=batch,
        squared=squared,
        weight=weight,
        reduction=reduction,
    )


def generalized_dice_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    activation: str | None = "softmax",
    include_background: bool = True,
    w_type: str = "square",
    batch: bool = False,
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Generalized Dice loss (Sudre et al., 2017): one Dice ratio pooled over the classes, each weighted by its volume.

    With the sums of :func:`dice_loss` (:math:`k = 1`) per sample, or over the batch with ``batch=True``:

    .. math::

        \ell = 1 - \frac{2 \sum_c w_c\, \mathrm{tp}_c + s_{nr}}{\sum_c w_c (\mathrm{sp}_c + \mathrm{st}_c) + s_{dr}},
        \qquad w_c = \mathrm{st}_c^{-2}\ (\texttt{'square'}),\ \mathrm{st}_c^{-1}\ (\texttt{'simple'}),\ 1\ (\texttt{'uniform'}), \\
        \frac{\partial \ell}{\partial p_{c,i}} = -\frac{2 w_c t_{c,i}}{D} + \frac{(1 - \ell)\, w_c}{D}

    with :math:`D` the denominator. A class's share of the numerator and denominator is of
    order :math:`w_c\,\mathrm{st}_c`: 1 for every class with ``'simple'`` (each class counts
    alike, whatever its volume), :math:`1/\mathrm{st}_c` with ``'square'`` (Sudre's: the smaller
    the structure, the more it counts, so a small one outweighs the background). A class
    absent from the target (:math:`\mathrm{st}_c = 0`, infinite weight) gets the largest finite
    weight of its sample (of the batch with ``batch=True``), as in MONAI; a sample with no class
    present has all weights 0 and the loss :math:`1 - s_{nr}/s_{dr}`. The weights are functions
    of the target, and a soft target's gradient includes their derivative.

    **How peers differ.** *MONAI* ``GeneralizedDiceLoss`` has the same formula and absent-class
    rule, no activation unless asked, and ``'none'`` of shape ``(N, 1, 1, ...)`` (singleton
    spatial dimensions kept); it cannot
    differentiate a soft target (its in-place weight fix breaks autograd). *optax*
    ``multiclass_generalized_dice_loss`` weights the per-class Dice *losses* by normalised
    :math:`1/(\text{freq}^2 + 10^{-7})`, not Sudre's pooled ratio. *smp* and *kornia* have no
    generalized Dice.

    Args:
        input: logits ``(N, C, *spatial)`` (probabilities with ``activation=None``).
        target: class indices ``(N, *spatial)`` or a float target ``(N, C, *spatial)`` in :math:`[0, 1]`.
        activation: ``'softmax'``, ``'sigmoid'`` or ``None``, as in :func:`dice_loss`.
        include_background: ``False`` leaves channel 0 out (needs ``C >= 2``).
        w_type: ``'square'`` | ``'simple'`` | ``'uniform'``.
        batch: pool the sums over the batch: one loss for the batch.
        smooth_nr: added to the numerator, :math:`\ge 0`.
        smooth_dr: added to the denominator, :math:`\ge 0`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'`` over the samples.

    Shape:
        - input: :math:`(N, C, *)`.
        - target: :math:`(N, *)` integer, or :math:`(N, C, *)` floating point.
        - output: a scalar, or :math:`(N)` with ``reduction='none'`` (a scalar with ``batch=True``).

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: as :func:`dice_loss`.
        ValueError: as :func:`dice_loss`, or ``w_type`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import generalized_dice_loss
        >>> x = torch.tensor([[2.0, 1.0, 0.0, -1.0], [-2.0, 0.0, 1.0, 2.0]]).view(1, 2, 4)
        >>> y = torch.tensor([[0, 0, 0, 1]])
        >>> generalized_dice_loss(x, y, reduction="none")
        tensor([0.3354])
        >>> generalized_dice_loss(x, y, w_type="uniform")  # the volume-blind pooled Dice
        tensor(0.2664)

    References:
        Sudre, Li, Vercauteren, Ourselin and Cardoso, *Generalised Dice overlap as a deep
        learning loss function for highly unbalanced segmentations*, DLMIA 2017. MONAI,
        ``monai.losses.GeneralizedDiceLoss``.

    Chapter: ``book/segmentation/dice.ipynb``.
    """
    fn = "generalized_dice_loss"
    if w_type not in W_TYPES:
        raise ValueError(f"{fn}: w_type must be one of 'square', 'simple', 'uniform', got {w_type!r}")
    check_overlap_args(
        fn,
        input,
        target,
        activation=activation,
        include_background=include_background,
        batch=batch,
        smooth_nr=smooth_nr,
        smooth_dr=smooth_dr,
        reduction=reduction,
    )
    return overlap_loss(
        _GeneralizedDiceLoss,
        input,
        target,
        (w_type, float(smooth_nr), float(smooth_dr)),
        activation=activation,
        include_background=include_background,
        batch=batch,
        reduction=reduction,
    )


def _check_module_options(cls: str, activation, include_background, batch, smooth_nr, smooth_dr) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"{cls}: activation must be one of 'softmax', 'sigmoid', None, got {activation!r}")
    check_bool(cls, "include_background", include_background)
    check_bool(cls, "batch", batch)
    check_number(cls, "smooth_nr", smooth_nr, low=0.0)
    check_number(cls, "smooth_dr", smooth_dr, low=0.0)


class DiceLoss(_Loss):
    """Module form of :func:`dice_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import DiceLoss
        >>> x = torch.tensor([[2.0, -1.0, 0.5, -2.0]]).view(1, 1, 4)
        >>> DiceLoss(activation="sigmoid")(x, torch.tensor([[1, 0, 1, 0]]))
        tensor(0.2274)
    """

    weight: torch.Tensor | None

    def __init__(
        self,
        activation: str | None = "softmax",
        include_background: bool = True,
        squared: bool = False,
        batch: bool = False,
        smooth_nr: float = 1e-5,
        smooth_dr: float = 1e-5,
        weight: torch.Tensor | None = None,
        reduction: str = "mean",
    ) -> None:
        _check_module_options("DiceLoss", activation, include_background, batch, smooth_nr, smooth_dr)
        check_bool("DiceLoss", "squared", squared)
        super().__init__(
            reduction,
            activation=activation,
            include_background=include_background,
            squared=squared,
            batch=batch,
            smooth_nr=smooth_nr,
            smooth_dr=smooth_dr,
            weight=weight,
            buffers=("weight",),
        )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return dice_loss(
            input,
            target,
            activation=self.activation,
            include_background=self.include_background,
            squared=self.squared,
            batch=self.batch,
            smooth_nr=self.smooth_nr,
            smooth_dr=self.smooth_dr,
            weight=self.weight,
            reduction=self.reduction,
        )


class GeneralizedDiceLoss(_Loss):
    """Module form of :func:`generalized_dice_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import GeneralizedDiceLoss
        >>> x = torch.tensor([[2.0, 1.0, 0.0, -1.0], [-2.0, 0.0, 1.0, 2.0]]).view(1, 2, 4)
        >>> GeneralizedDiceLoss(w_type="simple")(x, torch.tensor([[0, 0, 0, 1]]))
        tensor(0.3057)
    """

    def __init__(
        self,
        activation: str | None = "softmax",
        include_background: bool = True,
        w_type: str = "square",
        batch: bool = False,
        smooth_nr: float = 1e-5,
        smooth_dr: float = 1e-5,
        reduction: str = "mean",
    ) -> None:
        _check_module_options("GeneralizedDiceLoss", activation, include_background, batch, smooth_nr, smooth_dr)
        if w_type not in W_TYPES:
            raise ValueError(f"GeneralizedDiceLoss: w_type must be one of 'square', 'simple', 'uniform', got {w_type!r}")
        super().__init__(
            reduction,
            activation=activation,
            include_background=include_background,
            w_type=w_type,
            batch=batch,
            smooth_nr=smooth_nr,
            smooth_dr=smooth_dr,
        )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return generalized_dice_loss(
            input,
            target,
            activation=self.activation,
            include_background=self.include_background,
            w_type=self.w_type,
            batch=self.batch,
            smooth_nr=self.smooth_nr,
            smooth_dr=self.smooth_dr,
            reduction=self.reduction,
        )
