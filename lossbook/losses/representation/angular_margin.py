r"""Angular-margin softmax losses: ArcFace and CosFace. Chapter: ``book/representation/angular-margin.ipynb``.

Both losses are a softmax cross-entropy over the cosines between L2-normalised embeddings
(rows of ``input``, shape ``(N, D)``) and L2-normalised class centres (rows of ``weight``,
shape ``(C, D)``), scaled by ``scale``, with a margin applied to the target class's cosine
only: ArcFace adds the margin to the angle, :math:`\cos(\theta_y + m)`; CosFace subtracts
it from the cosine, :math:`\cos\theta_y - m`. Margins are in **radians**.

Conventions (each one pinned, and tested in ``tests/test_angular_margin.py``):

- **Normalisation** is :func:`torch.nn.functional.normalize`'s, :math:`v / \max(\lVert v \rVert, \epsilon)`
  with :math:`\epsilon = 10^{-12}`, and so is its gradient: :math:`(I - \hat v \hat v^\top) g / \lVert v \rVert`
  for :math:`\lVert v \rVert \ge \epsilon`, :math:`g / \epsilon` below (a zero embedding has cosine 0
  with every centre and a finite, large gradient).
- **Rounding**: the cosines are clamped to :math:`[-1, 1]`, as insightface does, and the clamp
  is passed straight through by the gradient (it only removes rounding errors).
- **ArcFace's fallback**: where :math:`\theta_y + m \ge \pi`, i.e. :math:`\cos\theta_y \le -\cos m`,
  :math:`\cos(\theta_y + m)` would increase again with :math:`\theta_y`; the target logit is then
  :math:`\cos\theta_y - m \sin m`, the monotonic fallback of insightface and of
  pytorch-metric-learning (both call it ``easy_margin=False``).
- **ArcFace at** :math:`\theta_y = 0`: :math:`\cos(\theta + m)` has a cone-shaped peak there,
  and :math:`d\cos(\theta + m)/d\cos\theta = \cos m + \sin m \cot\theta` is infinite. Where
  :math:`\sin\theta_y` is exactly 0 in floating point, the :math:`\sin m \cot\theta` term is
  taken as 0 (the subgradient 0 at a peak, as PyTorch's ``abs`` takes 0 at 0). Everywhere else
  the gradient with respect to the embedding stays bounded, because :math:`\cot\theta` multiplies
  the tangent vector :math:`\hat w - \cos\theta\, \hat x`, of length :math:`\sin\theta`.
"""

from __future__ import annotations

import math

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_class_indices,
    check_index_dtype,
    check_number,
    check_reduction,
    check_same_device,
    check_tensor,
    shape_str,
)

__all__ = ["ArcFaceLoss", "CosFaceLoss", "arcface_loss", "cosface_loss"]

EPS = 1e-12  # torch.nn.functional.normalize's eps


def _normalize(v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Rows of ``v`` divided by :math:`\max(\lVert v \rVert, \epsilon)` (``F.normalize``), and the norms ``(M, 1)``."""
    norm = torch.linalg.vector_norm(v, dim=1, keepdim=True)
    return v / norm.clamp_min(EPS), norm


def _normalize_backward(g: torch.Tensor, v_hat: torch.Tensor, norm: torch.Tensor, scale) -> torch.Tensor:
    r"""The gradient with respect to :math:`v` of :math:`\langle g, \hat v \rangle`, times ``scale`` (a number or ``(M, 1)``).

    :math:`(g - (g \cdot \hat v)\, \hat v) / \lVert v \rVert` where :math:`\lVert v \rVert \ge \epsilon`,
    :math:`g / \epsilon` below, as autograd differentiates ``F.normalize`` (``clamp_min`` passes the
    gradient at equality). ``g`` is a tensor the caller owns; it is overwritten.
    """
    radial = (g * v_hat).sum(1, keepdim=True)
    radial = torch.where(norm >= EPS, radial, 0.0)
    return g.sub_(v_hat * radial).mul_(scale / norm.clamp_min(EPS))


class _AngularMargin(torch.autograd.Function):
    r"""Softmax cross-entropy of :math:`s \cos\theta` with a margin on the target's cosine, reduced inside.

    ``kind='arc'``: target logit :math:`s f(c)` with :math:`f(c) = \cos(\theta + m)` where
    :math:`c > -\cos m` and :math:`c - m \sin m` elsewhere; ``kind='cos'``: :math:`f(c) = c - m`.

    The forward normalises both matrices, takes the cosines with one matmul, builds the logits
    in place, and computes the softmax with one ``exp``. From what it holds it also forms
    :math:`G = \partial \ell / \partial (\text{cosines}) / s`: :math:`p_j` off the target and
    :math:`-(1 - p_y) f'(c_y)` at it, with :math:`1 - p_y` summed from the other classes (no
    cancellation when :math:`p_y \approx 1`). The backward takes the two matmuls
    :math:`G \hat W` and :math:`G^\top \hat X` and passes them through the normalisations, with
    the scale :math:`s` and the reduction's scale folded into one multiplication.
    """

    @staticmethod
    def forward(ctx, input, weight, target, kind, scale, margin, reduction):
        x_hat, x_norm = _normalize(input)
        w_hat, w_norm = _normalize(weight)
        cos = (x_hat @ w_hat.T).clamp_(-1.0, 1.0)  # (N, C): rounding can leave |cos| slightly above 1
        at_y = target.unsqueeze(1)
        c = cos.gather(1, at_y)  # (N, 1): cos(theta_y)
        want_grad = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        if kind == "arc":
            cos_m, sin_m = math.cos(margin), math.sin(margin)
            sin_t = ((1 - c) * (1 + c)).clamp_min_(0).sqrt_()  # (1 - c)(1 + c): accurate near |c| = 1
            on_arc = c > math.cos(math.pi - margin)  # theta + m < pi (insightface's threshold, to the last bit)
            f = torch.where(on_arc, c * cos_m - sin_t * sin_m, c - margin * sin_m)
            if want_grad:
                # d cos(theta + m) / d cos(theta) = sin(theta + m) / sin(theta) = cos m + sin m cot(theta);
                # cot(theta) taken as 0 where sin(theta) rounds to 0 (the peak at theta = 0); 1 on the fallback
                positive = sin_t > 0
                cot = torch.where(positive, c / torch.where(positive, sin_t, 1.0), 0.0)
                df = torch.where(on_arc, cot.mul_(sin_m).add_(cos_m), 1.0)
        else:
            f = c - margin
            df = None
        z_y = f * scale
        z = cos.mul_(scale).scatter_(1, at_y, z_y)  # the logits, in place of the cosines
        z_max = z.amax(dim=1, keepdim=True)
        shifted_y = z_y.sub_(z_max)  # z_y - max z
        e = exp_(z.sub_(z_max))  # the one exp
        e_y = e.gather(1, at_y)
        others = e.scatter_(1, at_y, 0.0).sum(1, keepdim=True)  # the other classes' share, without e_y
        total = others + e_y
        m = others.div_(total)  # 1 - p_y, accurate when p_y is within rounding of 1
        ce = torch.where(m < 0.5, torch.log1p(-m).neg_(), total.log().sub_(shifted_y)).squeeze(1)  # -log p_y
        g = None
        if want_grad:
            g = e.div_(total)  # p off the target, 0 at it
            g.scatter_(1, at_y, m.neg_() if df is None else m.neg_().mul_(df))  # -(1 - p_y) f'(c_y)
        ctx.save_for_backward(g, x_hat, w_hat, x_norm, w_norm)
        ctx.options = (scale, reduction)
        return reduce(ce, reduction)

    @staticmethod
    @first_order("arcface_loss, cosface_loss")
    def backward(ctx, grad_output):
        g, x_hat, w_hat, x_norm, w_norm = ctx.saved_tensors
        scale, reduction = ctx.options
        s = grad_scale(grad_output, reduction, x_hat.shape[:1], factor=scale)  # d(reduction)/d(loss_i) times s
        per_row = s.dim() > 0
        s_col = s.unsqueeze(1) if per_row else s
        grad_input = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_input = _normalize_backward(g @ w_hat, x_hat, x_norm, s_col)
        if ctx.needs_input_grad[1]:
            if per_row:  # 'none': each row's upstream gradient weights its embedding
                grad_weight = _normalize_backward(g.T @ (x_hat * s_col), w_hat, w_norm, 1.0)
            else:
                grad_weight = _normalize_backward(g.T @ x_hat, w_hat, w_norm, s)
        return grad_input, grad_weight, None, None, None, None, None


def _check(fn: str, input, weight, target, scale, margin, reduction, margin_high: float | None) -> None:
    check_tensor(fn, "input", input)
    check_tensor(fn, "weight", weight)
    check_index_dtype(fn, target)
    check_reduction(fn, reduction)
    check_number(fn, "scale", scale, low=0.0, high=math.inf, low_open=True, high_open=True)
    _check_margin(fn, margin, margin_high)
    if input.dim() != 2 or input.shape[1] == 0:
        raise ValueError(f"{fn}: input must be embeddings of shape (N, D) with D >= 1, got shape {shape_str(input)}")
    if weight.dim() != 2 or weight.shape[0] == 0:
        raise ValueError(f"{fn}: weight must be class centres of shape (C, D) with C >= 1, got shape {shape_str(weight)}")
    if weight.shape[1] != input.shape[1]:
        raise ValueError(
            f"{fn}: weight shape {shape_str(weight)} does not match input shape {shape_str(input)}: "
            f"expected (C, {input.shape[1]}), one centre of the embedding size per class"
        )
    if weight.dtype != input.dtype:
        raise TypeError(f"{fn}: weight dtype {weight.dtype} does not match input dtype {input.dtype}")
    check_same_device(fn, "weight", weight, input)
    if target.shape != input.shape[:1]:
        raise ValueError(
            f"{fn}: target shape {shape_str(target)} does not match input shape {shape_str(input)}: "
            f"expected ({input.shape[0]},), one class index per embedding"
        )
    check_same_device(fn, "target", target, input)
    check_class_indices(fn, target, weight.shape[0])


def _check_margin(fn: str, margin, high: float | None) -> None:
    """A margin in radians: ``[0, high]`` (ArcFace: ``high = pi/2``) or ``[0, inf)``."""
    if high is None:
        check_number(fn, "margin", margin, low=0.0, high=math.inf, high_open=True)
        return
    check_number(fn, "margin", margin)
    if not 0.0 <= margin <= high:
        hint = ""
        if margin > high:
            hint = f" (pytorch-metric-learning's margin is in degrees: {margin:g} degrees is math.radians({margin:g}) = {math.radians(margin):.4f})"
        raise ValueError(f"{fn}: margin must be in [0, pi/2] radians, got {margin}{hint}")


def _apply(kind: str, fn: str, input, weight, target, scale, margin, reduction, margin_high):
    _check(fn, input, weight, target, scale, margin, reduction, margin_high)
    x, w = upcast(input, weight)
    out = _AngularMargin.apply(x, w, target, kind, float(scale), float(margin), reduction)
    return out if out.dtype == input.dtype else out.to(input.dtype)


def arcface_loss(
    input: torch.Tensor,
    weight: torch.Tensor,
    target: torch.Tensor,
    *,
    scale: float = 64.0,
    margin: float = 0.5,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""ArcFace, the additive angular margin loss (Deng et al., 2019).

    With :math:`\hat x_i = x_i / \lVert x_i \rVert` and :math:`\hat w_j = w_j / \lVert w_j \rVert`,
    :math:`\cos\theta_{ij} = \hat x_i \cdot \hat w_j`, and :math:`y = y_i`,

    .. math::

        \ell_i = -\log \frac{e^{s f(\cos\theta_{iy})}}{e^{s f(\cos\theta_{iy})} + \sum_{j \ne y} e^{s \cos\theta_{ij}}},
        \qquad
        f(\cos\theta) = \begin{cases}
            \cos(\theta + m) = \cos\theta \cos m - \sin\theta \sin m & \theta + m < \pi \\
            \cos\theta - m \sin m & \text{otherwise (the monotonic fallback)}
        \end{cases}

    With :math:`p = \operatorname{softmax}` of the logits, the gradient with respect to the cosines is

    .. math::

        \frac{\partial \ell_i}{\partial \cos\theta_{ij}} = s\, p_{ij} \ (j \ne y), \qquad
        \frac{\partial \ell_i}{\partial \cos\theta_{iy}} = -s\, (1 - p_{iy})\, f'(\cos\theta_{iy}), \qquad
        f'(\cos\theta) = \frac{\sin(\theta + m)}{\sin\theta} = \cos m + \sin m \cot\theta

    (:math:`f' = 1` on the fallback), and through the normalisations, with
    :math:`G_{ij} = \partial \ell_i / \partial \cos\theta_{ij}`,

    .. math::

        \frac{\partial \ell}{\partial x_i} = \frac{I - \hat x_i \hat x_i^\top}{\lVert x_i \rVert} \sum_j G_{ij} \hat w_j,
        \qquad
        \frac{\partial \ell}{\partial w_j} = \frac{I - \hat w_j \hat w_j^\top}{\lVert w_j \rVert} \sum_i G_{ij} \hat x_i .

    :math:`\cot\theta` is infinite at :math:`\theta = 0`, but it multiplies
    :math:`(I - \hat x \hat x^\top)\hat w_y`, of length :math:`\sin\theta`, so the gradient stays
    bounded; where :math:`\sin\theta_{iy}` rounds to 0 the :math:`\cot` term is taken as 0. See
    the module docstring for every convention (normalisation of zero vectors, the clamp).

    The class centres are an argument, not a parameter the loss owns: keep them in the model,
    e.g. the ``weight`` of an ``nn.Linear(D, C, bias=False)``, whose shape is exactly ``(C, D)``,
    so that the optimizer sees them (pytorch-metric-learning's ``ArcFaceLoss`` owns its ``W``,
    which then needs its own optimizer: PML#534).

    Differences from the peers (``tests/test_angular_margin.py`` compares with both):

    - **pytorch-metric-learning** ``ArcFaceLoss(num_classes, embedding_size, margin=28.6, scale=64)``:
      the margin is in **degrees** (28.6 degrees is 0.4992 radians; lossbook's 0.5 radians is 28.65
      degrees), its ``W`` has shape ``(D, C)`` (lossbook's ``weight`` is its transpose), and it takes
      the fallback where :math:`\theta > \pi - m` (lossbook where :math:`\theta \ge \pi - m`, as insightface).
      Its gradient is NaN at :math:`\cos\theta = \pm 1` (``acos`` of a clamp to :math:`[-1, 1]`).
    - **insightface** (``recognition/arcface_torch``): the same formula with ``s=64, margin=0.5`` and
      ``easy_margin=False`` in its 2022 ``ArcFace`` head; since its 2022-12 ``CombinedMarginLoss`` the
      margin is applied to the values under ``torch.no_grad()`` (``arccos``, add :math:`m`, ``cos``),
      so its gradient is the plain cosine softmax's (:math:`f' = 1`) and no fallback is taken.

    Args:
        input: embeddings :math:`x`, shape ``(N, D)``; normalised inside.
        weight: class centres :math:`w`, shape ``(C, D)``; normalised inside.
        target: class indices (int64), shape ``(N,)``, each in :math:`[0, C)`.
        scale: :math:`s > 0`, the radius of the hypersphere the logits live on.
        margin: :math:`m \in [0, \pi/2]`, in radians; ``margin=0`` is the normalised softmax
            (NormFace).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(N, D)`.
        - weight: :math:`(C, D)`.
        - target: :math:`(N)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``weight`` is not floating point, their dtypes differ, ``target``
            is not int64, or ``scale`` or ``margin`` is not a number.
        ValueError: a shape is not the one above, a class index is out of range, ``scale <= 0``,
            ``margin`` is outside :math:`[0, \pi/2]`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import arcface_loss
        >>> x = torch.tensor([[2.0, 0.0], [1.0, 1.0]])  # at 0 and 45 degrees
        >>> w = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # centres at 0 and 90 degrees
        >>> y = torch.tensor([0, 0])
        >>> arcface_loss(x, w, y, scale=4.0, reduction="none")  # log(1 + e^(-4 cos 0.5)), log(1 + e^(4 (cos(pi/4) - cos(pi/4 + 0.5))))
        tensor([0.0294, 1.8697])
        >>> arcface_loss(x, w, y, scale=4.0, margin=0.0, reduction="none")  # the normalised softmax: log 2 at 45 degrees
        tensor([0.0181, 0.6931])

    References:
        Deng, Guo, Xue and Zafeiriou, *ArcFace: Additive Angular Margin Loss for Deep Face
        Recognition*, CVPR 2019.

    Chapter: ``book/representation/angular-margin.ipynb``.
    """
    return _apply("arc", "arcface_loss", input, weight, target, scale, margin, reduction, math.pi / 2)


def cosface_loss(
    input: torch.Tensor,
    weight: torch.Tensor,
    target: torch.Tensor,
    *,
    scale: float = 64.0,
    margin: float = 0.35,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""CosFace, the large margin cosine loss (Wang et al., 2018), also called AM-softmax.

    With the cosines :math:`\cos\theta_{ij} = \hat x_i \cdot \hat w_j` of :func:`arcface_loss`,

    .. math::

        \ell_i = -\log \frac{e^{s (\cos\theta_{iy} - m)}}{e^{s (\cos\theta_{iy} - m)} + \sum_{j \ne y} e^{s \cos\theta_{ij}}},
        \qquad
        \frac{\partial \ell_i}{\partial \cos\theta_{ij}} = s\,(p_{ij} - [j = y]),

    which is the softmax cross-entropy's gradient of the logits :math:`s \cos\theta - s m e_y`;
    the gradients with respect to the embeddings and the centres follow through the
    normalisations as in :func:`arcface_loss`. The margin is subtracted from the cosine, so no
    fallback is needed: the target logit decreases with :math:`\theta` everywhere.

    Peers: pytorch-metric-learning's ``CosFaceLoss(num_classes, embedding_size, margin=0.35, scale=64)``
    takes the margin in cosine units, as lossbook does (its ``W`` is ``(D, C)``, the transpose
    of ``weight``); insightface's ``CosFace`` head defaults to ``m=0.40``, lossbook (with the paper
    and PML) to 0.35.

    Args:
        input: embeddings :math:`x`, shape ``(N, D)``; normalised inside.
        weight: class centres :math:`w`, shape ``(C, D)``; normalised inside.
        target: class indices (int64), shape ``(N,)``, each in :math:`[0, C)`.
        scale: :math:`s > 0`.
        margin: :math:`m \ge 0`, subtracted from the target's cosine; ``margin=0`` is the
            normalised softmax (NormFace).
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``.

    Shape:
        - input: :math:`(N, D)`.
        - weight: :math:`(C, D)`.
        - target: :math:`(N)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``weight`` is not floating point, their dtypes differ, ``target``
            is not int64, or ``scale`` or ``margin`` is not a number.
        ValueError: a shape is not the one above, a class index is out of range, ``scale <= 0``,
            ``margin < 0``, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import cosface_loss
        >>> x = torch.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> w = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> cosface_loss(x, w, torch.tensor([0, 0]), scale=4.0, reduction="none")  # log(1 + e^(-4 (1 - 0.35))), log(1 + e^(4 * 0.35))
        tensor([0.0716, 1.6204])

    References:
        Wang, Wang, Zhou, Ji, Gong, Zhou, Li and Liu, *CosFace: Large Margin Cosine Loss for Deep
        Face Recognition*, CVPR 2018.

    Chapter: ``book/representation/angular-margin.ipynb``.
    """
    return _apply("cos", "cosface_loss", input, weight, target, scale, margin, reduction, None)


class ArcFaceLoss(_Loss):
    """Module form of :func:`arcface_loss`: it holds the options; the class centres are an argument.

    ``forward(input, weight, target)``. The centres belong to the model (for example
    ``head = nn.Linear(D, C, bias=False)`` and ``loss(embeddings, head.weight, target)``), so
    the model's optimizer updates them; a loss that owned them would need its own optimizer.

    Example:
        >>> import torch
        >>> from lossbook.losses import ArcFaceLoss
        >>> head = torch.nn.Linear(2, 3, bias=False)
        >>> with torch.no_grad():
        ...     _ = head.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]))
        >>> ArcFaceLoss(scale=8.0)(torch.tensor([[2.0, 0.1]]), head.weight, torch.tensor([0]))
        tensor(0.0016, grad_fn=<_AngularMarginBackward>)
    """

    def __init__(self, scale: float = 64.0, margin: float = 0.5, reduction: str = "mean") -> None:
        check_number("ArcFaceLoss", "scale", scale, low=0.0, high=math.inf, low_open=True, high_open=True)
        _check_margin("ArcFaceLoss", margin, math.pi / 2)
        super().__init__(reduction, scale=scale, margin=margin)

    def forward(self, input: torch.Tensor, weight: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return arcface_loss(input, weight, target, scale=self.scale, margin=self.margin, reduction=self.reduction)


class CosFaceLoss(_Loss):
    """Module form of :func:`cosface_loss`: it holds the options; the class centres are an argument.

    ``forward(input, weight, target)``, as :class:`ArcFaceLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import CosFaceLoss
        >>> w = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
        >>> CosFaceLoss(scale=8.0)(torch.tensor([[2.0, 0.1]]), w, torch.tensor([0]))
        tensor(0.0083)
    """

    def __init__(self, scale: float = 64.0, margin: float = 0.35, reduction: str = "mean") -> None:
        check_number("CosFaceLoss", "scale", scale, low=0.0, high=math.inf, low_open=True, high_open=True)
        _check_margin("CosFaceLoss", margin, None)
        super().__init__(reduction, scale=scale, margin=margin)

    def forward(self, input: torch.Tensor, weight: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return cosface_loss(input, weight, target, scale=self.scale, margin=self.margin, reduction=self.reduction)
