"""Kullback-Leibler divergence and knowledge distillation. Chapter: ``book/classification/kl-divergence.ipynb``."""

from __future__ import annotations

import torch

from lossbook.losses._autograd import first_order
from lossbook.losses._module import _Loss
from lossbook.losses._reduction import grad_scale, reduce, upcast
from lossbook.losses._validation import (
    check_bool,
    check_number,
    check_pair,
    check_reduction,
    check_same_device,
    check_tensor,
)

KL_REDUCTIONS = ("none", "batchmean", "mean", "sum")


class _KLDiv(torch.autograd.Function):
    r"""Element-wise KL terms with the gradients derived in the KL chapter.

    ``log_target=False``: :math:`\ell = t \log t - t x`; ``log_target=True``: :math:`\ell = e^{t} (t - x)`.
    """

    @staticmethod
    def forward(ctx, input: torch.Tensor, target: torch.Tensor, log_target: bool) -> torch.Tensor:
        ctx.save_for_backward(input, target)
        ctx.log_target = log_target
        if log_target:
            return torch.exp(target) * (target - input)
        return torch.xlogy(target, target) - target * input  # xlogy: a target of 0 gives 0, not 0 * log 0

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        input, target = ctx.saved_tensors
        grad_input = grad_target = None
        if ctx.log_target:
            p = torch.exp(target)
            if ctx.needs_input_grad[0]:
                grad_input = -p * grad_output  # d/dx e^t (t - x) = -e^t
            if ctx.needs_input_grad[1]:
                grad_target = p * (target - input + 1) * grad_output  # d/dt e^t (t - x) = e^t (t - x + 1)
        else:
            if ctx.needs_input_grad[0]:
                grad_input = -target * grad_output  # d/dx (t log t - t x) = -t
            if ctx.needs_input_grad[1]:
                # d/dt (t log t - t x) = log t + 1 - x; undefined at t = 0 (NaN there, as in PyTorch)
                d = torch.log(target) + 1 - input
                d = torch.where(target == 0, torch.full_like(d, float("nan")), d)
                grad_target = d * grad_output
        return grad_input, grad_target, None


def kl_div(
    input: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    log_target: bool = False,
) -> torch.Tensor:
    r"""Kullback-Leibler divergence loss; mirrors :func:`torch.nn.functional.kl_div`.

    ``input`` holds log-probabilities :math:`x = \log q` (of the model), ``target`` the
    probabilities :math:`t = p` (or their logarithms with ``log_target=True``). The
    element-wise terms, which sum to :math:`\mathrm{KL}(p \,\|\, q)`, and their gradients are

    .. math::

        \ell = t \log t - t\,x, \qquad
        \frac{\partial \ell}{\partial x} = -t, \qquad
        \frac{\partial \ell}{\partial t} = \log t + 1 - x

    and, with ``log_target=True`` (:math:`t = \log p`),

    .. math::

        \ell = e^{t} (t - x), \qquad
        \frac{\partial \ell}{\partial x} = -e^{t}, \qquad
        \frac{\partial \ell}{\partial t} = e^{t} (t - x + 1).

    A target of exactly 0 contributes 0 (the convention :math:`0 \log 0 = 0`, computed with
    :func:`torch.xlogy`); the gradient with respect to such a target is undefined and is NaN,
    as in PyTorch (pass ``log_target=True`` if the target needs a gradient there).

    Reductions: ``'batchmean'`` divides the sum by ``input.shape[0]`` (the batch size) and is
    the mathematical KL divergence averaged over the batch; ``'mean'``, the default, divides
    by the number of *elements*, which is the KL divided also by the number of classes.
    PyTorch warns about this when ``'mean'`` is used; lossbook does not warn, and gives the
    same numbers. For a 0-d input ``'batchmean'`` equals ``'sum'``.

    Args:
        input: log-probabilities :math:`x`, a floating-point tensor.
        target: probabilities (or log-probabilities with ``log_target=True``), the shape of
            ``input`` (never broadcast).
        reduction: ``'none'`` | ``'batchmean'`` | ``'mean'`` | ``'sum'``.
        log_target: whether ``target`` holds log-probabilities.

    Shape:
        - input: :math:`(*)`, usually :math:`(N, C)` with classes along the last dimension.
        - target: :math:`(*)`, the shape of the input.
        - output: a scalar, or :math:`(*)` when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``input`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: ``input`` or ``target`` is not a floating-point tensor, or ``log_target``
            is not a bool.
        ValueError: shapes differ, or ``reduction`` is not one of the four values.

    Example:
        >>> import torch
        >>> from lossbook.losses import kl_div
        >>> q = torch.tensor([[0.5, 0.5]])  # the model
        >>> p = torch.tensor([[0.9, 0.1]])  # the target distribution
        >>> kl_div(q.log(), p, reduction="batchmean")
        tensor(0.3681)
        >>> kl_div(q.log(), p)  # 'mean' divides by the 2 elements, not by the 1 row
        tensor(0.1840)

    References:
        Kullback and Leibler, "On Information and Sufficiency" (1951).

    Chapter: ``book/classification/kl-divergence.ipynb``.
    """
    check_pair("kl_div", input, target)
    check_reduction("kl_div", reduction, KL_REDUCTIONS)
    check_bool("kl_div", "log_target", log_target)
    x, t = upcast(input, target)
    return reduce(_KLDiv.apply(x, t, log_target), reduction, dtype=input.dtype, fn="kl_div", allowed=KL_REDUCTIONS)


class KLDivLoss(_Loss):
    """Module form of :func:`kl_div`; mirrors :class:`torch.nn.KLDivLoss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import KLDivLoss
        >>> q, p = torch.tensor([[0.5, 0.5]]), torch.tensor([[0.9, 0.1]])
        >>> KLDivLoss(reduction="batchmean", log_target=True)(q.log(), p.log())
        tensor(0.3681)
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        check_bool("KLDivLoss", "log_target", log_target)
        super().__init__(reduction, log_target=log_target, allowed=KL_REDUCTIONS)

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


def _softmax_and_log(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``softmax(a)`` and ``log_softmax(a)`` over the last dimension, from one ``exp`` (``a`` is overwritten)."""
    a = a.sub_(a.amax(dim=-1, keepdim=True))  # shifted by the largest entry: exp never overflows
    e = a.exp()
    total = e.sum(dim=-1, keepdim=True)
    return e.div_(total), a.sub_(total.log_())


class _Distillation(torch.autograd.Function):
    r""":math:`T^2 p_k (\log p_k - \log q_k)` over the last dimension, reduced inside, with the chapter's gradients.

    :math:`p = \operatorname{softmax}(u / T)` (the teacher, the target) and
    :math:`q = \operatorname{softmax}(s / T)` (the student, the model).
    """

    @staticmethod
    def forward(ctx, student, teacher, temperature, reduction):
        T = temperature
        q, log_q = _softmax_and_log(student / T)
        p, log_p = _softmax_and_log(teacher / T)
        d = log_p.sub_(log_q)  # log p - log q, in place on log p
        ctx.save_for_backward(p, q if ctx.needs_input_grad[0] else None, d)
        ctx.temperature, ctx.reduction = T, reduction
        # p underflows to 0 for very unlikely classes, and then the term is 0 * finite = 0
        return reduce((p * d).mul_(T**2), reduction)

    @staticmethod
    @first_order("distillation_loss")
    def backward(ctx, grad_output):
        p, q, d = ctx.saved_tensors
        T = ctx.temperature
        g = grad_scale(grad_output, ctx.reduction, p.shape)  # the upstream gradient of each term
        grad_student = grad_teacher = None
        if ctx.needs_input_grad[0]:
            # d ell_k / d s_j = -T p_k (delta_kj - q_j)  =>  grad_j = T (q_j sum_k g_k p_k - g_j p_j),
            # which is T g (q_j - p_j) when g is one number (a reduced loss), as sum_k p_k = 1
            if g.dim() == 0:
                grad_student = (q - p).mul_(g * T)
            else:
                gp = g * p
                grad_student = (q * gp.sum(dim=-1, keepdim=True)).sub_(gp).mul_(T)
        if ctx.needs_input_grad[1]:
            # d ell_k / d u_j = T p_k (delta_kj - p_j) (log p_k - log q_k + 1)
            #   =>  grad_j = T (a_j - p_j sum_k a_k),  a_k = g_k p_k (log p_k - log q_k + 1)
            a = (d + 1).mul_(p).mul_(g)
            grad_teacher = a.sub_(p * a.sum(dim=-1, keepdim=True)).mul_(T)
        return grad_student, grad_teacher, None, None


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    *,
    temperature: float = 2.0,
    reduction: str = "batchmean",
) -> torch.Tensor:
    r"""Knowledge-distillation loss: :math:`T^2\,\mathrm{KL}(p \,\|\, q)` between temperature-softened distributions.

    With student logits :math:`s`, teacher logits :math:`u` and temperature :math:`T`, the
    teacher's softened distribution :math:`p = \operatorname{softmax}(u/T)` is the target and
    the student's :math:`q = \operatorname{softmax}(s/T)` the model, over the class dimension.
    The element-wise terms (which sum over the classes to :math:`T^2\,\mathrm{KL}(p \,\|\, q)`)
    and the gradients of their sum are

    .. math::

        \ell_k = T^2 p_k (\log p_k - \log q_k), \qquad
        \frac{\partial}{\partial s_j} \sum_k \ell_k = T (q_j - p_j), \qquad
        \frac{\partial}{\partial u_j} \sum_k \ell_k = T p_j \big(\log p_j - \log q_j - \mathrm{KL}(p \,\|\, q)\big).

    The factor :math:`T^2` keeps the size of the gradient roughly independent of the
    temperature (Hinton et al., 2015). The loss equals
    ``T**2 * kl_div(log_softmax(s / T), log_softmax(u / T), reduction=reduction, log_target=True)``
    for every reduction. It is differentiable in both arguments: detach the teacher's
    logits (the usual case) and only the student is trained.

    Args:
        student_logits: the student's logits :math:`s`.
        teacher_logits: the teacher's logits :math:`u`, the shape of ``student_logits``.
        temperature: :math:`T > 0`; larger values soften both distributions.
        reduction: ``'none'`` | ``'batchmean'`` | ``'mean'`` | ``'sum'``, as in :func:`kl_div`:
            ``'batchmean'`` (the default here) is the KL averaged over the batch.

    Shape:
        - student_logits: :math:`(N, C)`, :math:`(N, C, d_1, \dots)` (classes along
          dimension 1, as in cross-entropy) or :math:`(C,)`.
        - teacher_logits: the shape of ``student_logits``.
        - output: a scalar, or the input's shape when ``reduction='none'``.

    Returns:
        The loss, in the dtype of ``student_logits`` (float16/bfloat16 are computed in float32).

    Raises:
        TypeError: logits that are not floating-point tensors, or a ``temperature`` that is
            not a real number.
        ValueError: shapes differ, a 0-d input, ``temperature <= 0``, or a bad ``reduction``.

    Example:
        >>> import torch
        >>> from lossbook.losses import distillation_loss
        >>> student, teacher = torch.tensor([[1.0, 0.0, -1.0]]), torch.tensor([[2.0, 1.0, -2.0]])
        >>> distillation_loss(student, teacher, temperature=2.0)
        tensor(0.1905)
        >>> distillation_loss(student, student)
        tensor(0.)

    References:
        Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural Network" (2015).

    Chapter: ``book/classification/kl-divergence.ipynb``.
    """
    fn = "distillation_loss"
    check_tensor(fn, "student_logits", student_logits)
    check_tensor(fn, "teacher_logits", teacher_logits)
    if teacher_logits.shape != student_logits.shape:
        raise ValueError(
            f"{fn}: teacher_logits shape {tuple(teacher_logits.shape)} does not match "
            f"student_logits shape {tuple(student_logits.shape)}"
        )
    check_same_device(fn, "teacher_logits", teacher_logits, student_logits)
    if student_logits.dim() == 0:
        raise ValueError(f"{fn}: student_logits must have a class dimension, got a 0-d tensor")
    check_number(fn, "temperature", temperature, low=0.0, low_open=True, high_open=True)
    check_reduction(fn, reduction, KL_REDUCTIONS)
    s, u = upcast(student_logits, teacher_logits)
    class_dim = 1 if s.dim() > 1 else 0
    out = _Distillation.apply(s.movedim(class_dim, -1), u.movedim(class_dim, -1), float(temperature), reduction)
    out = out.movedim(-1, class_dim) if reduction == "none" else out
    return out if out.dtype == student_logits.dtype else out.to(student_logits.dtype)


class DistillationLoss(_Loss):
    """Module form of :func:`distillation_loss`.

    Example:
        >>> import torch
        >>> from lossbook.losses import DistillationLoss
        >>> student, teacher = torch.tensor([[1.0, 0.0, -1.0]]), torch.tensor([[2.0, 1.0, -2.0]])
        >>> DistillationLoss(temperature=4.0)(student, teacher)
        tensor(0.3157)
    """

    def __init__(self, temperature: float = 2.0, reduction: str = "batchmean") -> None:
        check_number("DistillationLoss", "temperature", temperature, low=0.0, low_open=True, high_open=True)
        super().__init__(reduction, temperature=temperature, allowed=KL_REDUCTIONS)

    def forward(self, student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
        return distillation_loss(student_logits, teacher_logits, temperature=self.temperature, reduction=self.reduction)
