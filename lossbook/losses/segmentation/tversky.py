r"""Tversky and focal Tversky losses. Chapter: ``book/segmentation/tversky.ipynb``.

Both are functions of the soft sums :math:`\mathrm{tp} = \sum p t`, :math:`\mathrm{fp} = \sum p (1 - t)`
and :math:`\mathrm{fn} = \sum (1 - p) t` of each sample and class, which
:mod:`lossbook.losses.segmentation._common` computes (with the input handling: activation,
one-hot targets, background, per-sample or batch sums) and differentiates back to the logits.
This module writes only the two ratios and their derivatives with respect to the sums. The
semantics are MONAI's ``TverskyLoss`` (``alpha`` on the false positives, ``beta`` on the false
negatives, ``smooth_nr`` and ``smooth_dr`` apart), with the strict checks of the Dice chapter.

The loss is computed as :math:`1 - \mathrm{TI} = (\alpha\,\mathrm{fp} + \beta\,\mathrm{fn} + s_{dr} - s_{nr}) / D`,
so that a perfect prediction (:math:`\mathrm{fp} = \mathrm{fn} = 0`, :math:`s_{nr} = s_{dr}`) gives exactly 0,
where the focal exponent's derivative is taken as 0.
"""

from __future__ import annotations

import torch

from lossbook.losses._module import _Loss
from lossbook.losses._validation import check_number
from lossbook.losses.segmentation._common import (
    check_overlap_args,
    grads_from_tp_fp_fn,
    overlap_function,
    overlap_loss,
    tp_fp_fn,
)

__all__ = ["FocalTverskyLoss", "TverskyLoss", "focal_tversky_loss", "tversky_loss"]


def _index_parts(tp, sp, st, alpha, beta, smooth_nr, smooth_dr):
    r"""The Tversky index's pieces: :math:`u = 1 - \mathrm{TI}`, :math:`\mathrm{TI}` and the denominator :math:`D`.

    :math:`N = \mathrm{tp} + s_{nr}`, :math:`D = \mathrm{tp} + \alpha\,\mathrm{fp} + \beta\,\mathrm{fn} + s_{dr}`,
    :math:`u = (D - N)/D` written without the subtraction of :math:`N/D` from 1.
    """
    tp, fp, fn = tp_fp_fn(tp, sp, st)
    excess = (fp * alpha).add_(fn, alpha=beta).add_(smooth_dr - smooth_nr)  # D - N
    den = excess + tp + smooth_nr  # D
    u = excess.div_(den)  # 1 - TI
    ti = tp.add(smooth_nr).div_(den)  # N / D
    return u, ti, den


def _tversky_ratio(tp, sp, st, alpha, beta, smooth_nr, smooth_dr):
    r"""Per class: :math:`\ell = 1 - \mathrm{TI}`, with :math:`\partial\ell/\partial\mathrm{tp} = -\ell/D`,
    :math:`\partial\ell/\partial\mathrm{fp} = \alpha\,\mathrm{TI}/D`, :math:`\partial\ell/\partial\mathrm{fn} = \beta\,\mathrm{TI}/D`.
    """
    u, ti, den = _index_parts(tp, sp, st, alpha, beta, smooth_nr, smooth_dr)
    ti_over_den = ti.div_(den)
    d_tp = (u / den).neg_()
    return (u, *grads_from_tp_fp_fn(d_tp, ti_over_den * alpha, ti_over_den.mul_(beta)))


def _focal_tversky_ratio(tp, sp, st, alpha, beta, gamma, smooth_nr, smooth_dr):
    r"""Per class: :math:`\ell = u^{1/\gamma}` with :math:`u = \max(1 - \mathrm{TI}, 0)`, and the chain rule through :math:`u`.

    :math:`\partial\ell/\partial\mathrm{tp} = -\tfrac1\gamma u^{1/\gamma}/D` (bounded), and
    :math:`\partial\ell/\partial\mathrm{fp} = \tfrac1\gamma u^{1/\gamma - 1}\,\alpha\,\mathrm{TI}/D`,
    :math:`\partial\ell/\partial\mathrm{fn} = \tfrac1\gamma u^{1/\gamma - 1}\,\beta\,\mathrm{TI}/D`, taken as 0 where
    :math:`u = 0` (the loss's minimum; for :math:`\gamma > 1` the derivative grows without bound as
    :math:`u \to 0`).
    """
    u, ti, den = _index_parts(tp, sp, st, alpha, beta, smooth_nr, smooth_dr)
    q = 1.0 / gamma
    u = u.clamp_min_(0.0)
    loss = u.pow(q)
    slope = torch.where(u > 0, u.pow(q - 1.0), 0.0).mul_(q)  # q u^(q - 1), taken as 0 at u = 0
    d_tp = (loss * q).div_(den).neg_()
    common = ti.div_(den).mul_(slope)
    return (loss, *grads_from_tp_fp_fn(d_tp, common * alpha, common.mul_(beta)))


_Tversky = overlap_function(_tversky_ratio, "tversky_loss")
_FocalTversky = overlap_function(_focal_tversky_ratio, "focal_tversky_loss")


def _check_weights(fn, alpha, beta):
    check_number(fn, "alpha", alpha, low=0.0)
    check_number(fn, "beta", beta, low=0.0)


def tversky_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    activation: str | None = "softmax",
    include_background: bool = True,
    alpha: float = 0.5,
    beta: float = 0.5,
    batch: bool = False,
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Tversky loss (Salehi et al., 2017), one per sample and class, with MONAI's semantics.

    With :math:`p` the probabilities (the activation of ``input``), :math:`t` the one-hot or soft
    target, and sums over the pixels of each sample (and over the batch with ``batch=True``):

    .. math::

        \mathrm{tp} = \sum p\,t, \quad \mathrm{fp} = \sum p\,(1 - t), \quad \mathrm{fn} = \sum (1 - p)\,t, \qquad
        \ell_c = 1 - \mathrm{TI}_c = 1 - \frac{\mathrm{tp}_c + s_{nr}}{\mathrm{tp}_c + \alpha\,\mathrm{fp}_c
            + \beta\,\mathrm{fn}_c + s_{dr}} = 1 - \frac{N_c}{D_c}, \\
        \frac{\partial \ell_c}{\partial \mathrm{tp}_c} = -\frac{\ell_c}{D_c}, \quad
        \frac{\partial \ell_c}{\partial \mathrm{fp}_c} = \frac{\alpha\,\mathrm{TI}_c}{D_c}, \quad
        \frac{\partial \ell_c}{\partial \mathrm{fn}_c} = \frac{\beta\,\mathrm{TI}_c}{D_c}, \qquad
        \frac{\partial \ell_c}{\partial p_{c,i}} = \frac{\alpha\,\mathrm{TI}_c\,(1 - t_{c,i})
            - (\ell_c + \beta\,\mathrm{TI}_c)\, t_{c,i}}{D_c}

    and through the activation to the logits (:math:`g \odot p(1 - p)` for the sigmoid,
    :math:`p \odot (g - \sum_j p_j g_j)` for the softmax). A soft target is differentiated,
    through the same three sums:
    :math:`\partial \ell_c/\partial t_{c,i} = (\beta\,\mathrm{TI}_c\,(1 - p_{c,i}) - (\ell_c + \alpha\,\mathrm{TI}_c)\, p_{c,i})/D_c`.

    ``alpha`` weighs the false positives and ``beta`` the false negatives: a larger ``beta``
    makes a missed foreground pixel cost more, and trades precision for recall.
    :math:`\alpha = \beta = 1/2` is the Dice loss (with the smoothing terms doubled:
    ``tversky_loss(alpha=.5, beta=.5, smooth_nr=s, smooth_dr=r)`` equals
    ``dice_loss(smooth_nr=2 * s, smooth_dr=2 * r)``) and :math:`\alpha = \beta = 1` the soft
    Jaccard (IoU) loss. The empty-mask behaviour is the Dice loss's: a class absent from the
    target and predicted nowhere costs :math:`1 - s_{nr}/s_{dr}` (0 with the defaults).

    **Conventions of the papers and peers.**

    - *Salehi et al. (2017)* write :math:`T = \sum p_0 g_0 / (\sum p_0 g_0 + \alpha \sum p_0 g_1
      + \beta \sum p_1 g_0)` with :math:`p_0, g_0` the lesion's probability and mask and
      :math:`p_1 = 1 - p_0`, :math:`g_1 = 1 - g_0`: their :math:`\alpha` multiplies the false
      positives and their :math:`\beta` the false negatives, as here; they report their best
      results with :math:`\alpha = 0.3, \beta = 0.7`.
    - *Abraham and Khan (2019)* swap the names: their :math:`\alpha` multiplies the false
      negatives. Their :math:`\alpha = 0.7, \beta = 0.3` is ``alpha=0.3, beta=0.7`` here.
    - *MONAI* ``TverskyLoss``: the same formula, defaults and per-sample sums; no activation
      unless asked, one-hot only with ``to_onehot_y=True``, a one-channel softmax or
      ``include_background=False`` warns and is ignored (here it raises), and it has no
      ``weight``; ``'none'`` keeps singleton spatial dimensions.
    - *segmentation_models_pytorch* ``TverskyLoss(alpha, beta, gamma)``: ``alpha`` on the false
      positives too, but the sums pool the batch (``batch=True`` here), ``smooth=0`` in numerator and
      denominator with ``eps`` as a ``clamp_min`` of the denominator, classes with no target pixel
      in the batch dropped, and the mean over classes raised to ``gamma`` (see
      :func:`focal_tversky_loss`).
    - *kornia* ``tversky_loss(pred, target, alpha, beta, eps)``: ``alpha`` on the false
      positives too, but always a softmax, 2-D images with class-index targets, ``eps`` in the
      denominator only, and the classes pooled into one index per sample (averaged over samples).
    - *optax* ``dice_loss(..., alpha, beta, smooth=1.0)`` is this index (``alpha`` on the false
      positives) with classes on the last axis, one ``smooth`` added to numerator and
      denominator alike, and its reduction over the classes only (one loss per sample).

    Args:
        input: logits ``(N, C, *spatial)`` (probabilities with ``activation=None``).
        target: class indices, an integer tensor ``(N, *spatial)`` in :math:`[0, C)` (with
            ``C = 1``: the 0/1 mask of the one channel), or a float tensor
            ``(N, C, *spatial)`` in :math:`[0, 1]`, which gets a gradient.
        activation: ``'softmax'`` over the channels (needs ``C >= 2``), ``'sigmoid'`` per
            channel, or ``None`` when ``input`` already holds probabilities in :math:`[0, 1]`.
        include_background: ``False`` leaves channel 0 out of the loss (needs ``C >= 2``);
            with a softmax it still takes part in the normalisation.
        alpha: weight of the false positives, :math:`\ge 0`.
        beta: weight of the false negatives, :math:`\ge 0`.
        batch: pool the sums over the batch: one index per class instead of one per sample and class.
        smooth_nr: added to the numerator, :math:`\ge 0`.
        smooth_dr: added to the denominator, :math:`\ge 0` (keep it :math:`> 0`: an empty class
            predicted nowhere is 0/0 without it).
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
            ``include_background=False`` on one channel, a negative ``alpha``, ``beta``,
            smoothing term or weight, ``weight`` not of shape ``(C,)``, a bad ``activation`` or
            ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import tversky_loss
        >>> x = torch.tensor([[[2.0, -1.0, 0.5, -2.0]], [[-1.0, 1.0, 1.0, -1.0]]]).view(2, 1, 4)
        >>> y = torch.tensor([[1, 0, 1, 0], [0, 1, 0, 0]])
        >>> tversky_loss(x, y, activation="sigmoid", reduction="none")  # alpha = beta = 1/2: Dice
        tensor([[0.2274],
                [0.5126]])
        >>> tversky_loss(x, y, activation="sigmoid", alpha=0.3, beta=0.7, reduction="none")
        tensor([[0.2359],
                [0.4376]])

    References:
        Salehi, Erdogmus and Gholipour, *Tversky loss function for image segmentation using 3D
        fully convolutional deep networks*, MLMI 2017. MONAI, ``monai.losses.TverskyLoss``.

    Chapter: ``book/segmentation/tversky.ipynb``.
    """
    fn = "tversky_loss"
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
        weight=weight,
    )
    _check_weights(fn, alpha, beta)
    return overlap_loss(
        _Tversky,
        input,
        target,
        (float(alpha), float(beta), float(smooth_nr), float(smooth_dr)),
        activation=activation,
        include_background=include_background,
        batch=batch,
        weight=weight,
        reduction=reduction,
    )


def focal_tversky_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    *,
    activation: str | None = "softmax",
    include_background: bool = True,
    alpha: float = 0.3,
    beta: float = 0.7,
    gamma: float = 4.0 / 3.0,
    batch: bool = False,
    smooth_nr: float = 1e-5,
    smooth_dr: float = 1e-5,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Focal Tversky loss (Abraham and Khan, 2019): each class's Tversky loss raised to :math:`1/\gamma`, then reduced.

    With :math:`\mathrm{TI}_c` the Tversky index of :func:`tversky_loss` (same sums, options and
    smoothing) and :math:`u_c = 1 - \mathrm{TI}_c`:

    .. math::

        \ell_c = u_c^{1/\gamma}, \qquad
        \frac{\partial \ell_c}{\partial \mathrm{tp}_c} = -\frac{1}{\gamma}\,\frac{u_c^{1/\gamma}}{D_c}, \quad
        \frac{\partial \ell_c}{\partial \mathrm{fp}_c} = \frac{1}{\gamma}\,u_c^{1/\gamma - 1}\,\frac{\alpha\,\mathrm{TI}_c}{D_c}, \quad
        \frac{\partial \ell_c}{\partial \mathrm{fn}_c} = \frac{1}{\gamma}\,u_c^{1/\gamma - 1}\,\frac{\beta\,\mathrm{TI}_c}{D_c}

    so the gradient is the Tversky loss's, class by class, times :math:`\tfrac1\gamma u_c^{1/\gamma - 1}`.
    For :math:`\gamma > 1` that factor grows without bound as :math:`\mathrm{TI}_c \to 1`: a class
    that is nearly right gets more weight than under the Tversky loss, one that is badly
    wrong (:math:`u_c` near 1) about :math:`1/\gamma` of it. Where :math:`u_c = 0` (the minimum)
    the gradient is taken as 0. :math:`u_c` is clamped at 0 (it is negative only when
    ``smooth_nr > smooth_dr``), so the power is always defined. :math:`\gamma = 1` is
    :func:`tversky_loss`.

    The exponent acts on **each class** before the classes (and samples) are averaged, as in
    the paper's :math:`\sum_c (1 - \mathrm{TI}_c)^{1/\gamma}` (``'sum'``; ``'mean'`` divides by the
    number of classes and samples). *segmentation_models_pytorch*'s ``TverskyLoss(gamma=g)``
    raises the **mean** over classes to ``g``, :math:`(\tfrac1C \sum_c u_c)^{g}`: with
    :math:`g = 1/\gamma` the two agree for one class and differ as soon as there are two
    (for :math:`\gamma > 1`, by Jensen's inequality, the mean of :math:`u_c^{1/\gamma}` is at most
    the mean's power, with equality only when every :math:`u_c` is the same), and smp's gradient
    shares one factor among all classes instead of one per class.

    **Conventions.** Abraham and Khan's :math:`\alpha` multiplies the false *negatives*; here, as in
    MONAI, Salehi et al. and smp, ``alpha`` multiplies the false positives. The defaults are
    the paper's :math:`\alpha = 0.7` (false negatives), :math:`\beta = 0.3`, :math:`\gamma = 4/3`,
    written in this function's names: ``alpha=0.3, beta=0.7, gamma=4/3``. MONAI has only
    ``AsymmetricFocalTverskyLoss`` (Yeung et al.), a different, binary loss.

    Args:
        input: logits ``(N, C, *spatial)`` (probabilities with ``activation=None``).
        target: class indices ``(N, *spatial)`` or a float tensor ``(N, C, *spatial)`` in
            :math:`[0, 1]`, as in :func:`tversky_loss`.
        activation: ``'softmax'``, ``'sigmoid'`` or ``None``, as in :func:`tversky_loss`.
        include_background: ``False`` leaves channel 0 out of the loss (needs ``C >= 2``).
        alpha: weight of the false positives, :math:`\ge 0`.
        beta: weight of the false negatives, :math:`\ge 0`.
        gamma: the focal parameter :math:`\gamma > 0`; the exponent is :math:`1/\gamma`.
        batch: pool the sums over the batch.
        smooth_nr: added to the numerator, :math:`\ge 0`.
        smooth_dr: added to the denominator, :math:`\ge 0`.
        weight: optional non-negative weight per input channel, shape ``(C,)``, multiplying
            each class's loss.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        Those of :func:`tversky_loss`.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: as :func:`tversky_loss`, or ``gamma`` is not a number.
        ValueError: as :func:`tversky_loss`, or ``gamma <= 0``.

    Example:
        >>> import torch
        >>> from lossbook.losses import focal_tversky_loss, tversky_loss
        >>> x = torch.tensor([[[2.0, -1.0, 0.5, -2.0]], [[-1.0, 1.0, 1.0, -1.0]]]).view(2, 1, 4)
        >>> y = torch.tensor([[1, 0, 1, 0], [0, 1, 0, 0]])
        >>> focal_tversky_loss(x, y, activation="sigmoid", reduction="none")
        tensor([[0.3385],
                [0.5381]])
        >>> tversky_loss(x, y, activation="sigmoid", alpha=0.3, beta=0.7, reduction="none") ** 0.75
        tensor([[0.3385],
                [0.5381]])

    References:
        Abraham and Khan, *A Novel Focal Tversky Loss Function with Improved Attention U-Net
        for Lesion Segmentation*, ISBI 2019.

    Chapter: ``book/segmentation/tversky.ipynb``.
    """
    fn = "focal_tversky_loss"
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
        weight=weight,
    )
    _check_weights(fn, alpha, beta)
    check_number(fn, "gamma", gamma, low=0.0, low_open=True)
    return overlap_loss(
        _FocalTversky,
        input,
        target,
        (float(alpha), float(beta), float(gamma), float(smooth_nr), float(smooth_dr)),
        activation=activation,
        include_background=include_background,
        batch=batch,
        weight=weight,
        reduction=reduction,
    )


class TverskyLoss(_Loss):
    """Module form of :func:`tversky_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import TverskyLoss
        >>> x, y = torch.tensor([[[2.0, -1.0], [0.0, 1.0]]]), torch.tensor([[0, 1]])
        >>> TverskyLoss(alpha=0.3, beta=0.7)(x, y)
        tensor(0.1192)
    """

    weight: torch.Tensor | None

    def __init__(
        self,
        activation: str | None = "softmax",
        include_background: bool = True,
        alpha: float = 0.5,
        beta: float = 0.5,
        batch: bool = False,
        smooth_nr: float = 1e-5,
        smooth_dr: float = 1e-5,
        weight: torch.Tensor | None = None,
        reduction: str = "mean",
    ) -> None:
        _check_weights("TverskyLoss", alpha, beta)
        super().__init__(
            reduction,
            activation=activation,
            include_background=include_background,
            alpha=alpha,
            beta=beta,
            batch=batch,
            smooth_nr=smooth_nr,
            smooth_dr=smooth_dr,
            weight=weight,
            buffers=("weight",),
        )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return tversky_loss(
            input,
            target,
            activation=self.activation,
            include_background=self.include_background,
            alpha=self.alpha,
            beta=self.beta,
            batch=self.batch,
            smooth_nr=self.smooth_nr,
            smooth_dr=self.smooth_dr,
            weight=self.weight,
            reduction=self.reduction,
        )


class FocalTverskyLoss(_Loss):
    """Module form of :func:`focal_tversky_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import FocalTverskyLoss
        >>> x, y = torch.tensor([[[2.0, -1.0], [0.0, 1.0]]]), torch.tensor([[0, 1]])
        >>> FocalTverskyLoss()(x, y)
        tensor(0.2029)
    """

    weight: torch.Tensor | None

    def __init__(
        self,
        activation: str | None = "softmax",
        include_background: bool = True,
        alpha: float = 0.3,
        beta: float = 0.7,
        gamma: float = 4.0 / 3.0,
        batch: bool = False,
        smooth_nr: float = 1e-5,
        smooth_dr: float = 1e-5,
        weight: torch.Tensor | None = None,
        reduction: str = "mean",
    ) -> None:
        _check_weights("FocalTverskyLoss", alpha, beta)
        check_number("FocalTverskyLoss", "gamma", gamma, low=0.0, low_open=True)
        super().__init__(
            reduction,
            activation=activation,
            include_background=include_background,
            alpha=alpha,
            beta=beta,
            gamma=gamma,
            batch=batch,
            smooth_nr=smooth_nr,
            smooth_dr=smooth_dr,
            weight=weight,
            buffers=("weight",),
        )

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return focal_tversky_loss(
            input,
            target,
            activation=self.activation,
            include_background=self.include_background,
            alpha=self.alpha,
            beta=self.beta,
            gamma=self.gamma,
            batch=self.batch,
            smooth_nr=self.smooth_nr,
            smooth_dr=self.smooth_dr,
            weight=self.weight,
            reduction=self.reduction,
        )
