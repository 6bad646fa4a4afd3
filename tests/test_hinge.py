"""Margin losses: hand-computed values, kink conventions, PyTorch's reference inputs, errors. The generic suite is test_losses.py."""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import (
    HingeLoss,
    MultiMarginLoss,
    hinge_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)
from tests.test_losses import _torch_op

# binary hinge


def test_hinge_hand_computed():
    # margins y x = 2, 0.5, -1 with m = 1: max(0, 1 - yx) = 0, 0.5, 2
    x, y = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([1.0, 1.0, 1.0])
    assert hinge_loss(x, y, reduction="none").tolist() == [0.0, 0.5, 2.0]
    assert hinge_loss(x, -y, reduction="none").tolist() == [3.0, 1.5, 0.0]
    assert hinge_loss(x, y, squared=True, reduction="sum").item() == pytest.approx(0.25 + 4.0)
    assert hinge_loss(x, y, margin=2.0).item() == pytest.approx((0 + 1.5 + 3) / 3)
    assert HingeLoss(margin=0.0)(x, y).item() == pytest.approx(1 / 3)


def test_hinge_gradient_and_kink_convention():
    # d/dx max(0, m - yx) = -y where m - yx > 0, and 0 where it is < 0 or exactly 0 (the kink, as relu)
    x = torch.tensor([0.5, 1.0, 1.5, -1.0], requires_grad=True)
    y = torch.tensor([1.0, 1.0, 1.0, -1.0])
    (g,) = torch.autograd.grad(hinge_loss(x, y, reduction="sum"), x)
    assert g.tolist() == [-1.0, 0.0, 0.0, 0.0]
    (r,) = torch.autograd.grad(F.relu(1 - y * x).sum(), x)
    assert r.tolist() == g.tolist()
    (g2,) = torch.autograd.grad(hinge_loss(x, y, squared=True, reduction="sum"), x)
    assert g2.tolist() == [-1.0, 0.0, 0.0, 0.0]  # -2 y max(0, 1 - yx): -2 * 0.5 = -1


def test_hinge_target_gradient_is_the_formula_derivative():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(6, generator=g, dtype=torch.float64)
    y = torch.tensor([1.0, -1.0, 1.0, 1.0, -1.0, -1.0], dtype=torch.float64)
    for squared in (False, True):
        a = y.clone().requires_grad_()
        b = y.clone().requires_grad_()
        (ga,) = torch.autograd.grad(hinge_loss(x, a, squared=squared, reduction="sum"), a)
        h = torch.clamp(1 - b * x, min=0)
        (gb,) = torch.autograd.grad((h**2 if squared else h).sum(), b)
        torch.testing.assert_close(ga, gb)


def test_hinge_errors():
    with pytest.raises(ValueError, match=r"hinge_loss: target must hold -1 and \+1 only, got the value 0.5"):
        hinge_loss(torch.zeros(2), torch.tensor([1.0, 0.5]))
    with pytest.raises(TypeError, match="hinge_loss: squared must be a bool, got int"):
        hinge_loss(torch.zeros(2), torch.ones(2), squared=1)
    with pytest.raises(TypeError, match="hinge_loss: margin must be a real number, got str"):
        hinge_loss(torch.zeros(2), torch.ones(2), margin="1")
    with pytest.raises(ValueError, match="HingeLoss: reduction must be one of"):
        HingeLoss(reduction="avg")
    assert repr(HingeLoss(squared=True)) == "HingeLoss(margin=1.0, squared=True, reduction='mean')"


# soft margin


def test_soft_margin_hand_computed_and_stable():
    # log(1 + e^0) = log 2; log(1 + e^2) for x = 2, y = -1
    out = soft_margin_loss(torch.tensor([0.0, 2.0]), torch.tensor([1.0, -1.0]), reduction="none")
    torch.testing.assert_close(out, torch.tensor([math.log(2), math.log(1 + math.e**2)]))
    # PyTorch computes log1p(exp(-yx)), which overflows at yx = -1e4; softplus does not
    x = torch.tensor([-1e4, 1e4], requires_grad=True)
    y = torch.ones(2)
    assert torch.isinf(F.soft_margin_loss(x, y, reduction="none")[0])
    loss = soft_margin_loss(x, y, reduction="none")
    assert loss.tolist() == [1e4, 0.0]
    loss.sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0]


def test_soft_margin_target_gradient():
    # d/dy log(1 + e^{-yx}) = -x sigmoid(-yx); PyTorch's op is not differentiable in the target
    g = torch.Generator().manual_seed(1)
    x = torch.randn(5, generator=g, dtype=torch.float64)
    y = torch.randn(5, generator=g, dtype=torch.float64, requires_grad=True)
    (gy,) = torch.autograd.grad(soft_margin_loss(x, y, reduction="sum"), y)
    torch.testing.assert_close(gy, -x * torch.sigmoid(-y.detach() * x))
    assert torch.autograd.gradcheck(lambda a, b: soft_margin_loss(a, b), (x.clone().requires_grad_(), y))


# multi-class hinge


def test_multi_margin_example_of_pytorch_docs():
    # torch.nn.MultiMarginLoss: x = [0.1, 0.2, 0.4, 0.8], y = 3:
    # (max(0, 1 - 0.8 + 0.1) + max(0, 1 - 0.8 + 0.2) + max(0, 1 - 0.8 + 0.4)) / 4 = (0.3 + 0.4 + 0.6) / 4
    x, y = torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3])
    assert multi_margin_loss(x, y).item() == pytest.approx(0.325)
    assert multi_margin_loss(x, y, p=2).item() == pytest.approx((0.09 + 0.16 + 0.36) / 4)


def test_multi_margin_weight_of_the_target_class_and_mean_over_examples():
    # weights multiply each example's loss by w[y]; 'mean' divides by the number of examples, not sum(w[y])
    x = torch.tensor([[0.1, 0.2, 0.4, 0.8], [0.0, 0.0, 0.0, 0.0]])
    y = torch.tensor([3, 0])
    w = torch.tensor([2.0, 1.0, 1.0, 10.0])
    # row 2: all scores equal, three terms of max(0, 1) = 1: 3/4
    per_row = torch.tensor([10 * 0.325, 2 * 0.75])
    torch.testing.assert_close(multi_margin_loss(x, y, weight=w, reduction="none"), per_row)
    assert multi_margin_loss(x, y, weight=w).item() == pytest.approx(per_row.mean().item())
    module = MultiMarginLoss(weight=w)
    assert "weight" in dict(module.named_buffers())


def test_multi_margin_kink_has_zero_gradient_as_in_pytorch():
    # margin - x_y + x_j = 1 - 1 + 0 = 0 exactly: no gradient, as in PyTorch's kernel
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    (g,) = torch.autograd.grad(multi_margin_loss(x, torch.tensor(1), reduction="sum"), x)
    (e,) = torch.autograd.grad(F.multi_margin_loss(x, torch.tensor(1), reduction="sum"), x)
    assert g.tolist() == e.tolist() == [0.0, 0.0]


def test_multi_margin_shapes_of_unbatched_inputs():
    x = torch.randn(5)
    assert multi_margin_loss(x, torch.tensor(2), reduction="none").shape == ()
    assert multi_margin_loss(x, torch.tensor([2]), reduction="none").shape == (1,)
    assert multi_margin_loss(torch.tensor(0.3), torch.tensor(0)).item() == 0.0  # one class: nothing to beat


def _compare_with_pytorch(name, fn, samples, dtype):
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
    n = 0
    for sample in samples:
        args = (sample.input, *sample.args)
        expected = F.__dict__[name](*args, **sample.kwargs)
        got = fn(*args, **sample.kwargs)
        torch.testing.assert_close(got, expected, **tol)
        torch.testing.assert_close(
            torch.autograd.grad(got.sum(), sample.input)[0], torch.autograd.grad(expected.sum(), sample.input)[0], **tol
        )
        n += 1
    return n


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_multi_margin_on_pytorch_reference_inputs(dtype):
    # every combination of p, margin (0, 7, -3.14), weight (in [-10, 10]) and reduction, for 0-d, 1-d and 2-d inputs
    op = _torch_op("nn.functional.multi_margin_loss")
    samples = op.reference_inputs("cpu", dtype, requires_grad=True)
    assert _compare_with_pytorch("multi_margin_loss", multi_margin_loss, samples, dtype) > 100


def test_multi_margin_errors():
    x = torch.zeros(2, 4)
    with pytest.raises(ValueError, match=r"multi_margin_loss: target holds 4, expected class indices in \[0, 3\]"):
        multi_margin_loss(x, torch.tensor([0, 4]))
    with pytest.raises(TypeError, match="multi_margin_loss: target class indices must have dtype torch.int64, got dtype torch.int32"):
        multi_margin_loss(x, torch.tensor([0, 1], dtype=torch.int32))
    with pytest.raises(ValueError, match="multi_margin_loss: target batch size 3 does not match input batch size 2"):
        multi_margin_loss(x, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"multi_margin_loss: target shape \(2, 1\) does not match input shape \(2, 4\): expected \(2,\)"):
        multi_margin_loss(x, torch.zeros(2, 1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"multi_margin_loss: weight must have shape \(4,\), one entry per class, got shape \(2, 4\)"):
        multi_margin_loss(x, torch.tensor([0, 1]), weight=torch.ones(2, 4))
    with pytest.raises(ValueError, match=r"multi_margin_loss: input must be 0-d, \(C,\) or \(N, C\) with C >= 1, got shape \(2, 3, 4\)"):
        multi_margin_loss(torch.zeros(2, 3, 4), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="MultiMarginLoss: p must be 1 or 2, got 3"):
        MultiMarginLoss(p=3)


# multi-label hinge


def test_multilabel_margin_example_of_pytorch_docs():
    # torch.nn.MultiLabelMarginLoss: targets 3 and 0 against classes 1 and 2:
    # [(1-(0.1-0.2)) + (1-(0.1-0.4)) + (1-(0.8-0.2)) + (1-(0.8-0.4))] / 4 = 0.85
    x, y = torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]])
    assert multilabel_margin_loss(x, y).item() == pytest.approx(0.85)


def test_multilabel_margin_repeated_labels_count_twice_and_after_minus_one_are_ignored():
    x = torch.zeros(3)
    # one target (class 0) against two others, each term max(0, 1) = 1: 2/3; listed twice: 4/3
    assert multilabel_margin_loss(x, torch.tensor([0, -1, -1]), reduction="none").item() == pytest.approx(2 / 3)
    assert multilabel_margin_loss(x, torch.tensor([0, 0, -1]), reduction="none").item() == pytest.approx(4 / 3)
    assert multilabel_margin_loss(x, torch.tensor([0, -1, 1]), reduction="none").item() == pytest.approx(2 / 3)
    assert multilabel_margin_loss(x, torch.tensor([0, 1, 2])).item() == 0.0  # every class a target: nothing to rank
    assert multilabel_margin_loss(x, torch.tensor([-1, 0, 1])).item() == 0.0  # no target


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_multilabel_margin_on_pytorch_reference_inputs(dtype):
    # PyTorch's reference inputs include -1 terminators, entries after them and repeated labels
    op = _torch_op("nn.functional.multilabel_margin_loss")
    samples = op.reference_inputs("cpu", dtype, requires_grad=True)
    assert _compare_with_pytorch("multilabel_margin_loss", multilabel_margin_loss, samples, dtype) > 20


def test_multilabel_margin_errors():
    with pytest.raises(ValueError, match=r"multilabel_margin_loss: target holds 3, expected class indices or -1 in \[-1, 2\]"):
        multilabel_margin_loss(torch.zeros(3), torch.tensor([0, -1, 3]))  # checked after the -1 too, as in PyTorch
    with pytest.raises(ValueError, match=r"multilabel_margin_loss: target shape \(2,\) does not match input shape \(3,\)"):
        multilabel_margin_loss(torch.zeros(3), torch.tensor([0, -1]))


# multi-label logistic


def test_multilabel_soft_margin_hand_computed():
    # (softplus(0) - 1 * 0 + softplus(2) - 0 * 2) / 2
    x, t = torch.tensor([[0.0, 2.0]]), torch.tensor([[1.0, 0.0]])
    expected = (math.log(2) + math.log(1 + math.e**2)) / 2
    assert multilabel_soft_margin_loss(x, t).item() == pytest.approx(expected)
    # a per-class weight scales each class's term
    w = torch.tensor([2.0, 0.5])
    assert multilabel_soft_margin_loss(x, t, weight=w).item() == pytest.approx((2 * math.log(2) + 0.5 * math.log(1 + math.e**2)) / 2)


def test_multilabel_soft_margin_per_class_and_per_element_weights_agree_with_pytorch():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(3, 2, 4, generator=g, dtype=torch.float64)
    t = (torch.rand(3, 2, 4, generator=g) < 0.5).double()
    for w in (torch.rand(4, generator=g, dtype=torch.float64), torch.rand(3, 2, 4, generator=g, dtype=torch.float64)):
        for reduction in ("none", "mean", "sum"):
            torch.testing.assert_close(
                multilabel_soft_margin_loss(x, t, weight=w, reduction=reduction),
                F.multilabel_soft_margin_loss(x, t, weight=w, reduction=reduction),
            )


def test_multilabel_soft_margin_errors():
    with pytest.raises(ValueError, match="multilabel_soft_margin_loss: input must have a class dimension, got a 0-d tensor"):
        multilabel_soft_margin_loss(torch.tensor(0.0), torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"multilabel_soft_margin_loss: weight shape \(1, 3\) does not match input shape \(2, 3\)"):
        multilabel_soft_margin_loss(torch.zeros(2, 3), torch.zeros(2, 3), weight=torch.ones(1, 3))


@pytest.mark.parametrize("name", ["soft_margin_loss", "multilabel_soft_margin_loss"])
def test_integer_targets_are_accepted_as_pytorch_does(name):
    # PyTorch takes int64 labels for both (its module tests pass them); lossbook gives the same numbers
    import torch.nn.functional as F

    from lossbook import losses as L

    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[1, -1, 1], [-1, 1, 1]]) if name == "soft_margin_loss" else torch.tensor([[1, 0, 1], [0, 1, 1]])
    got, expected = getattr(L, name)(x, y), getattr(F, name)(x, y)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=0)
    torch.testing.assert_close(torch.autograd.grad(got, x)[0], torch.autograd.grad(expected, x)[0], rtol=1e-12, atol=0)
