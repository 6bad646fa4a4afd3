r"""InfoNCE (with CLIP's symmetric form) and the supervised contrastive loss. Chapter: ``book/representation/contrastive.ipynb``.

Both losses are a cross-entropy over a **similarity matrix** of L2-normalised embeddings,
:math:`S = U V^\top / \tau`. Their hand-written backwards are the chapter's two steps:

1. with respect to :math:`S`, the softmax of each row minus the row's target distribution,
   :math:`\partial \ell_i / \partial S_{ij} = P_{ij} - T_{ij}`;
2. through :math:`S = U V^\top / \tau` (two matrix products) and then through the
   normalisation :math:`u = q / \max(\lVert q \rVert, \epsilon)`, whose Jacobian projects out
   the radial direction: :math:`\partial \ell / \partial q = (g - u\,(u^\top g)) / \lVert q \rVert`.

The normalisation is :func:`torch.nn.functional.normalize`'s, ``eps=1e-12`` on the norm: a
vector of norm below :math:`\epsilon` is divided by :math:`\epsilon` (so the zero vector stays
0 and its similarities are 0), and its gradient is :math:`g / \epsilon`, finite but
:math:`10^{12}` times the gradient of its normalised vector, exactly as autograd through
``F.normalize`` gives.

:func:`_info_nce` is the core of :func:`info_nce_loss`, reusable where the keys are more
than the queries and the positives are not on the diagonal: a query block against keys
gathered from every process (``book/scale/distributed.ipynb``), or a MoCo-style queue.
"""

from __future__ import annotations

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._exp import exp_, logsumexp
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_integer_tensor,
    check_number,
    check_reduction,
    check_tensor,
    shape_str,
)

EPS = 1e-12  # the eps of torch.nn.functional.normalize, on the norm


def _normalize(x: torch.Tensor, eps: float = EPS) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``F.normalize(x, dim=1, eps=eps)``, with what its backward needs: ``(u, n, radial)``.

    ``u = x / n`` with ``n = max(||x||, eps)`` of shape ``(N, 1)``; ``radial`` is where the norm
    is not clamped (``||x|| >= eps``, the rows whose gradient loses its radial part).
    """
    norm = torch.linalg.vector_norm(x, dim=1, keepdim=True)
    n = norm.clamp_min(eps)
    return x / n, n, norm >= eps


def _normalize_backward(u: torch.Tensor, n: torch.Tensor, radial: torch.Tensor, grad_u: torch.Tensor) -> torch.Tensor:
    r"""The gradient with respect to :math:`x` of :math:`\sum g \cdot u`, :math:`u = x / \max(\lVert x \rVert, \epsilon)`.

    :math:`(g - u\,(u^\top g)) / \lVert x \rVert` where the norm is at least :math:`\epsilon`,
    else :math:`g / \epsilon` (the norm is then the constant :math:`\epsilon`). ``grad_u`` is a
    tensor the caller owns: it is overwritten.
    """
    radial_part = (u * grad_u).sum(1, keepdim=True).mul_(radial)
    return grad_u.addcmul_(u, radial_part, value=-1.0).div_(n)


def _check_embeddings(fn: str, name: str, x) -> None:
    check_tensor(fn, name, x)
    if x.dim() != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{fn}: {name} must have shape (N, D) with N >= 1 and D >= 1, got shape {shape_str(x)}")


# ---------------------------------------------------------------------------------------
# InfoNCE


class _InfoNCE(torch.autograd.Function):
    r"""InfoNCE of queries ``(N, D)`` against keys ``(M, D)``, query :math:`i`'s positive the key ``positive[i]`` (``None``: key :math:`i`), reduced inside.

    .. math::

        S = \frac{U V^\top}{\tau}, \quad
        \ell_i = \operatorname{lse}_j S_{ij} - S_{i p_i}, \quad
        \frac{\partial \ell_i}{\partial S_{ij}} = P_{ij} - [j = p_i], \quad P = \operatorname{softmax}_{\text{rows}}(S).

    ``symmetric`` (square, ``positive`` a permutation: the diagonal in :func:`info_nce_loss`)
    averages the row loss with the column loss of the positive's column,
    :math:`\tfrac12(\ell^{\text{row}}_i + \operatorname{lse}_k S_{k p_i} - S_{i p_i})`, whose
    gradient adds the column softmax :math:`P^{\text{col}}`. The forward keeps :math:`S`,
    its log-sum-exps and the normalised embeddings; the backward recomputes the softmax with one
    ``exp`` per direction, subtracts the targets (on the diagonal's view, or with one
    ``scatter_add_`` for positives elsewhere), scales the rows for ``'none'`` (for ``'mean'`` and
    ``'sum'`` it folds the scalar scale into the :math:`(N, D)` products), and takes two matrix
    products and the normalisation's backward.
    """

    @staticmethod
    def forward(ctx, query, key, positive, temperature, symmetric, reduction):
        u, nq, rq = _normalize(query)
        v, nk, rk = _normalize(key)
        s = torch.mm(u / temperature, v.T)  # S = U V^T / tau, the 1/tau on the (N, D) side
        lse_row = logsumexp(s, dim=1)
        s_pos = s.diagonal() if positive is None else s.gather(1, positive.unsqueeze(1)).squeeze(1)
        lse_col = logsumexp(s, dim=0) if symmetric else None
        if symmetric:  # the mean of the row's two directions
            loss = (lse_row + (lse_col if positive is None else lse_col.gather(0, positive))).mul_(0.5).sub_(s_pos)
        else:
            loss = lse_row - s_pos
        ctx.save_for_backward(s, lse_row, lse_col, positive, u, nq, rq, v, nk, rk)
        ctx.temperature, ctx.symmetric, ctx.reduction = temperature, symmetric, reduction
        return reduce(loss, reduction)

    @staticmethod
    @first_order("info_nce_loss")
    def backward(ctx, grad_output):
        s, lse_row, lse_col, positive, u, nq, rq, v, nk, rk = ctx.saved_tensors
        n = s.shape[0]
        c = grad_scale(grad_output, ctx.reduction, torch.Size([n]))  # 0-d ('mean', 'sum') or (N,) ('none')
        per_row = c.dim() > 0
        g = exp_(s - lse_row.unsqueeze(1))  # row softmax P
        if per_row:
            g.mul_(c.unsqueeze(1))
        hits = 2.0 if ctx.symmetric else 1.0  # the target is subtracted once per direction
        if ctx.symmetric:
            p_col = exp_(s - lse_col.unsqueeze(0))  # column softmax
            if per_row:  # column p_i carries the scale of row i
                p_col.mul_((c if positive is None else torch.zeros_like(c).scatter_(0, positive, c)).unsqueeze(0))
            g.add_(p_col)
        # G = P (+ P_col) - targets
        if positive is None:
            g.diagonal().sub_(c * hits if per_row else hits)
        else:
            target = c * -hits if per_row else torch.full((n,), -hits, dtype=s.dtype, device=s.device)
            g.scatter_add_(1, positive.unsqueeze(1), target.unsqueeze(1))
        scale = (0.5 if ctx.symmetric else 1.0) / ctx.temperature
        if not per_row:
            scale = c * scale
        grad_query = grad_key = None
        if ctx.needs_input_grad[0]:
            grad_query = _normalize_backward(u, nq, rq, torch.mm(g, v).mul_(scale))
        if ctx.needs_input_grad[1]:
            grad_key = _normalize_backward(v, nk, rk, torch.mm(g.T, u).mul_(scale))
        return grad_query, grad_key, None, None, None, None


def _info_nce(
    query: torch.Tensor,
    key: torch.Tensor,
    positive: torch.Tensor | None,
    *,
    temperature: float,
    symmetric: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    """The core of :func:`info_nce_loss`: queries ``(N, D)``, keys ``(M, D)``, query ``i``'s positive ``key[positive[i]]``.

    Unchecked (the caller validates): ``positive`` is int64 ``(N,)`` with values in
    ``[0, M)``, or ``None`` for the diagonal (``M == N``); with ``symmetric=True``, ``M == N``
    and ``positive`` is a permutation or ``None``. Inputs
    of float16/bfloat16 are computed in float32 and the loss returned in the query's dtype.
    """
    q, k = upcast(query, key)
    out = _InfoNCE.apply(q, k, positive, float(temperature), symmetric, reduction)
    return out if out.dtype == query.dtype else out.to(query.dtype)


def info_nce_loss(
    query: torch.Tensor,
    key: torch.Tensor,
    *,
    temperature: float = 0.07,
    symmetric: bool = False,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""InfoNCE (van den Oord et al., 2018), the contrastive loss of SimCLR, MoCo and, with ``symmetric=True``, CLIP.

    Row :math:`i` of ``query`` and row :math:`i` of ``key`` are a positive pair (two views of one
    example, an image and its caption); the other keys are the negatives of query :math:`i`.
    Both are L2-normalised inside (:func:`torch.nn.functional.normalize`, ``eps=1e-12``):

    .. math::

        u_i = \frac{q_i}{\max(\lVert q_i \rVert, \epsilon)}, \quad
        v_j = \frac{k_j}{\max(\lVert k_j \rVert, \epsilon)}, \quad
        S_{ij} = \frac{u_i^\top v_j}{\tau}, \qquad
        \ell_i = -\log \frac{e^{S_{ii}}}{\sum_j e^{S_{ij}}}, \\
        \frac{\partial \ell_i}{\partial S_{ij}} = P_{ij} - [i = j], \quad
        P_{ij} = \frac{e^{S_{ij}}}{\sum_k e^{S_{ik}}}, \qquad
        \frac{\partial L}{\partial u_i} = \frac{1}{\tau} \sum_j G_{ij} v_j, \quad
        \frac{\partial L}{\partial q_i} = \frac{1}{\lVert q_i \rVert} (I - u_i u_i^\top) \frac{\partial L}{\partial u_i}

    with :math:`G` the gradient with respect to :math:`S` (and symmetrically for the keys,
    :math:`\partial L / \partial v_j = \tfrac1\tau \sum_i G_{ij} u_i`). With
    ``symmetric=True``, :math:`\ell_i = \tfrac12(\ell_i^{q \to k} + \ell_i^{k \to q})`, where
    :math:`\ell_i^{k \to q} = -\log (e^{S_{ii}} / \sum_k e^{S_{ki}})` is the same loss with the roles of
    queries and keys exchanged (the column softmax); :math:`G` then adds the column softmax,
    and its mean over the rows is CLIP's ``(cross_entropy(logits, labels) + cross_entropy(logits.T, labels)) / 2``
    with ``logit_scale = 1 / temperature``.

    Peers: PML's ``NTXentLoss`` and optax's ``ntxent`` take one batch of embeddings and labels
    (positives are the pairs with equal labels, all other embeddings in the batch, other views
    included, are negatives); here the negatives of query :math:`i` are the *keys* :math:`j \ne i`
    only, as in CPC, MoCo and CLIP. SimCLR's NT-Xent, whose negatives also include the other
    queries, is :func:`supcon_loss` of the concatenated views with labels ``arange(N)`` repeated
    twice. MONAI's ``ContrastiveLoss`` (``temperature=0.5``) computes ``exp`` without a shift and
    overflows at small temperatures; this loss uses log-sum-exp. The temperature is a number;
    for CLIP's learned ``logit_scale`` differentiate the plain formula (the backward does not
    give a gradient for it).

    Args:
        query: embeddings :math:`q`, shape :math:`(N, D)`; not necessarily normalised.
        key: embeddings :math:`k` of the same shape; ``key[i]`` is the positive of ``query[i]``.
        temperature: :math:`\tau > 0`; smaller values sharpen the softmax and concentrate the
            gradient on the hardest negatives.
        symmetric: average both directions, query-to-key and key-to-query, as CLIP does.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'none'`` gives one loss per row,
            with ``symmetric=True`` the mean of the row's two directions.

    Shape:
        - query: :math:`(N, D)`.
        - key: :math:`(N, D)`, the shape of ``query``.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``query`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``query`` or ``key`` is not a floating-point tensor, ``temperature`` is not
            a number or ``symmetric`` not a bool.
        ValueError: ``query`` is not :math:`(N, D)` with :math:`N, D \ge 1`, the shapes differ,
            ``temperature`` is not in :math:`(0, \infty)`, or ``reduction`` is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import info_nce_loss
        >>> q = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
        >>> k = torch.tensor([[1.0, 0.2], [0.1, 1.0], [1.0, 0.8]])
        >>> info_nce_loss(q, k, temperature=0.5, reduction="none")
        tensor([0.6111, 0.5183, 0.8619])
        >>> info_nce_loss(q, k, temperature=0.5, symmetric=True)
        tensor(0.6682)

    References:
        van den Oord, Li and Vinyals, *Representation Learning with Contrastive Predictive
        Coding*, arXiv:1807.03748, 2018. Chen, Kornblith, Norouzi and Hinton, *A Simple
        Framework for Contrastive Learning of Visual Representations*, ICML 2020. Radford et al.,
        *Learning Transferable Visual Models From Natural Language Supervision*, ICML 2021.

    Chapter: ``book/representation/contrastive.ipynb``.
    """
    fn = "info_nce_loss"
    _check_embeddings(fn, "query", query)
    check_tensor(fn, "key", key)
    if key.shape != query.shape:
        raise ValueError(f"{fn}: key shape {shape_str(key)} does not match query shape {shape_str(query)}")
    if key.device != query.device:
        raise ValueError(f"{fn}: key is on {key.device} but query is on {query.device}")
    check_number(fn, "temperature", temperature, low=0.0, low_open=True, high_open=True)
    check_bool(fn, "symmetric", symmetric)
    check_reduction(fn, reduction)
    return _info_nce(query, key, None, temperature=temperature, symmetric=symmetric, reduction=reduction)


class InfoNCELoss(_Loss):
    """Module form of :func:`info_nce_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import InfoNCELoss
        >>> q, k = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[1.0, 0.2], [0.1, 1.0]])
        >>> InfoNCELoss(temperature=0.5, symmetric=True)(q, k)
        tensor(0.1715)
    """

    def __init__(self, temperature: float = 0.07, symmetric: bool = False, reduction: str = "mean") -> None:
        check_number("InfoNCELoss", "temperature", temperature, low=0.0, low_open=True, high_open=True)
        check_bool("InfoNCELoss", "symmetric", symmetric)
        super().__init__(reduction, temperature=temperature, symmetric=symmetric)

    def forward(self, query: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
        return info_nce_loss(query, key, temperature=self.temperature, symmetric=self.symmetric, reduction=self.reduction)


# ---------------------------------------------------------------------------------------
# Supervised contrastive (SupCon, L_out)


class _SupCon(torch.autograd.Function):
    r"""Khosla et al.'s :math:`\mathcal{L}^{\text{sup}}_{\text{out}}` of features ``(N, D)`` and labels ``(N,)``, reduced inside.

    .. math::

        S = Z Z^\top / \tau, \quad
        \ell_i = \operatorname{lse}_{a \ne i} S_{ia} - \frac{1}{|\mathcal{P}(i)|} \sum_{p \in \mathcal{P}(i)} S_{ip}, \quad
        \frac{\partial \ell_i}{\partial S_{ia}} = P_{ia} - \frac{[a \in \mathcal{P}(i)]}{|\mathcal{P}(i)|} \ (a \ne i),

    :math:`\mathcal{P}(i) = \{p \ne i : y_p = y_i\}`; anchors with :math:`\mathcal{P}(i) = \emptyset` give 0 and
    are not counted by ``'mean'`` (``denominator``, the number of anchors with a positive, at
    least 1). Since :math:`S` is symmetric in :math:`Z`, :math:`\partial L / \partial Z = (G + G^\top) Z / \tau`.
    The forward writes :math:`-\infty` on the diagonal of :math:`S` (self excluded) and keeps it;
    the backward recomputes the softmax with one ``exp``.
    """

    @staticmethod
    def forward(ctx, features, labels, temperature, reduction):
        z, nz, rz = _normalize(features)
        s = torch.mm(z / temperature, z.T)
        positives = labels.unsqueeze(1) == labels.unsqueeze(0)
        positives.diagonal().fill_(False)  # P(i): same label, self excluded
        count = positives.sum(1)
        has_positive = count > 0
        weight = has_positive.to(s.dtype).div_(count.clamp_min(1))  # 1 / |P(i)|, 0 without positives
        s.diagonal().fill_(float("-inf"))  # A(i): everything but the anchor itself
        # lse over A(i); -inf when N = 1 (A(i) empty), clamped so that exp(S - lse) is 0, not NaN
        lse = logsumexp(s, dim=1).clamp_min(torch.finfo(s.dtype).min)
        loss = torch.where(has_positive, lse - torch.where(positives, s, 0.0).sum(1).mul_(weight), 0.0)
        denominator = has_positive.sum().clamp_min(1).to(s.dtype)  # anchors with a positive
        ctx.save_for_backward(s, lse, positives, weight, denominator, z, nz, rz)
        ctx.temperature, ctx.reduction = temperature, reduction
        return reduce(loss, reduction, denominator=denominator)

    @staticmethod
    @first_order("supcon_loss")
    def backward(ctx, grad_output):
        s, lse, positives, weight, denominator, z, nz, rz = ctx.saved_tensors
        n = s.shape[0]
        c = grad_scale(grad_output, ctx.reduction, torch.Size([n]), denominator=denominator)
        row = (weight > 0).to(s.dtype).mul_(c)  # anchors without positives get no gradient
        g = exp_(s - lse.unsqueeze(1))  # softmax over A(i): 0 on the diagonal
        g.sub_(positives * weight.unsqueeze(1)).mul_(row.unsqueeze(1))  # G = c (P - T)
        grad = torch.mm(g + g.T, z).div_(ctx.temperature)  # S = Z Z^T / tau: both factors
        return _normalize_backward(z, nz, rz, grad), None, None, None


def supcon_loss(
    features: torch.Tensor,
    labels: torch.Tensor,
    *,
    temperature: float = 0.1,
    reduction: str = "mean",
) -> torch.Tensor:
    r"""Supervised contrastive loss (Khosla et al., 2020), the :math:`\mathcal{L}^{\text{sup}}_{\text{out}}` form.

    Each row of ``features`` is one view of one example; rows with equal ``labels`` are
    positives of each other. Features are L2-normalised inside
    (:func:`torch.nn.functional.normalize`, ``eps=1e-12``), :math:`z_i`, and with
    :math:`\mathcal{A}(i) = \{a \ne i\}` and :math:`\mathcal{P}(i) = \{p \in \mathcal{A}(i) : y_p = y_i\}`:

    .. math::

        \ell_i = -\frac{1}{|\mathcal{P}(i)|} \sum_{p \in \mathcal{P}(i)} \log
            \frac{e^{z_i^\top z_p / \tau}}{\sum_{a \in \mathcal{A}(i)} e^{z_i^\top z_a / \tau}}, \qquad
        \frac{\partial \ell_i}{\partial S_{ia}} = P_{ia} - \frac{[a \in \mathcal{P}(i)]}{|\mathcal{P}(i)|}
        \quad (a \ne i,\ S = Z Z^\top / \tau),

    and :math:`\partial L / \partial Z = (G + G^\top) Z / \tau` followed by the normalisation's
    backward, :math:`(I - z_i z_i^\top) / \lVert f_i \rVert`. An anchor without a positive
    (a label that occurs once) has :math:`\ell_i = 0` and no gradient, and ``'mean'`` averages
    over the anchors that have one; if none has, the loss is 0 with zero gradients, and no warning.

    **Several views.** Pass them concatenated along the batch and repeat the labels:
    ``supcon_loss(torch.cat([f1, f2]), torch.cat([y, y]))``. The official SupContrast code takes
    ``features`` of shape ``(bsz, n_views, D)`` and labels ``(bsz,)``; lossbook's call on
    ``torch.cat(features.unbind(1))`` and ``labels.repeat(n_views)`` gives its loss when (i) its
    features are normalised (it does not normalise them: its users' NaNs, SupContrast#50), (ii)
    ``base_temperature == temperature`` and (iii) every anchor has a positive (always so with
    two views or more). Its ``base_temperature`` multiplies the loss by
    :math:`\tau / \tau_{\text{base}}`: 1 at its defaults (0.07 and 0.07), but its README's runs pass
    ``--temp 0.1`` (SupCon) and ``--temp 0.5`` (SimCLR) with the default base, factors 1.43 and 7.1.
    lossbook omits the factor, following the paper's equation: it is a constant scale of the loss,
    which under SGD with weight decay (the official training) is the learning rate times the
    factor with the weight decay divided by it, and under Adam nearly no change; multiply by it to
    reproduce the official scale. Where
    anchors lack positives, the official code (after SupContrast PR#142) gives them 0 but still
    divides by all anchors; PML's ``SupConLoss`` (``AvgNonZeroReducer``) averages over the
    anchors with a non-zero loss, which is lossbook's mean unless a loss is exactly 0.
    SimCLR's NT-Xent is this loss with labels ``arange(N)`` for each of the two views.

    Args:
        features: embeddings, shape :math:`(N, D)`, one view per row; not necessarily normalised.
        labels: integer class labels, shape :math:`(N,)`.
        temperature: :math:`\tau > 0`.
        reduction: ``'none'`` | ``'mean'`` | ``'sum'``; ``'mean'`` divides by the number of
            anchors that have a positive (at least 1).

    Shape:
        - features: :math:`(N, D)`.
        - labels: :math:`(N)`.
        - output: a scalar, or :math:`(N)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``features`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``features`` is not a floating-point tensor, ``labels`` not an integer
            tensor, or ``temperature`` not a number.
        ValueError: ``features`` is not :math:`(N, D)` with :math:`N, D \ge 1`, ``labels`` is
            not :math:`(N,)`, ``temperature`` is not in :math:`(0, \infty)`, or ``reduction``
            is not one of the three values.

    Example:
        >>> import torch
        >>> from lossbook.losses import supcon_loss
        >>> f = torch.tensor([[1.0, 0.0], [0.9, 0.3], [0.0, 1.0], [-0.2, 1.0], [-1.0, -1.0]])
        >>> y = torch.tensor([0, 0, 1, 1, 2])  # class 2 has no positive
        >>> supcon_loss(f, y, temperature=0.5, reduction="none")
        tensor([0.2529, 0.4051, 0.3644, 0.2790, 0.0000])
        >>> supcon_loss(f, y, temperature=0.5)  # the mean over the four anchors with a positive
        tensor(0.3254)

    References:
        Khosla, Teterwak, Wang, Sarna, Tian, Isola, Maschinot, Liu and Krishnan, *Supervised
        Contrastive Learning*, NeurIPS 2020.

    Chapter: ``book/representation/contrastive.ipynb``.
    """
    fn = "supcon_loss"
    _check_embeddings(fn, "features", features)
    check_integer_tensor(fn, "labels", labels)
    if labels.shape != features.shape[:1]:
        raise ValueError(
            f"{fn}: labels shape {shape_str(labels)} does not match features shape {shape_str(features)}: "
            f"expected ({features.shape[0]},), one label per row"
        )
    if labels.device != features.device:
        raise ValueError(f"{fn}: labels is on {labels.device} but features is on {features.device}")
    check_number(fn, "temperature", temperature, low=0.0, low_open=True, high_open=True)
    check_reduction(fn, reduction)
    (f,) = upcast(features)
    out = _SupCon.apply(f, labels, float(temperature), reduction)
    return out if out.dtype == features.dtype else out.to(features.dtype)


class SupConLoss(_Loss):
    """Module form of :func:`supcon_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import SupConLoss
        >>> f, y = torch.tensor([[1.0, 0.0], [0.9, 0.3], [0.0, 1.0]]), torch.tensor([0, 0, 1])
        >>> SupConLoss(temperature=0.5)(f, y)
        tensor(0.1942)
    """

    def __init__(self, temperature: float = 0.1, reduction: str = "mean") -> None:
        check_number("SupConLoss", "temperature", temperature, low=0.0, low_open=True, high_open=True)
        super().__init__(reduction, temperature=temperature)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return supcon_loss(features, labels, temperature=self.temperature, reduction=self.reduction)
