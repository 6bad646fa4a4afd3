"""lossbook.gradcheck: a right backward passes, a wrong one or a wrong value is caught."""

import pytest
import torch

from lossbook.gradcheck import check_gradient
from lossbook.losses import mse_loss


def test_check_gradient_passes_a_correct_backward():
    x, y = torch.randn(5, 2), torch.randn(5, 2)
    report = check_gradient(mse_loss, lambda a, b: ((a - b) ** 2).mean(), x, y)
    assert report.ok and report.gradcheck and report.names == ("input", "target")
    assert "all within" in str(report)


class _WrongBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return x * grad  # should be 2 x


def test_check_gradient_catches_a_wrong_backward():
    report = check_gradient(lambda x: _WrongBackward.apply(x).sum(), lambda x: (x**2).sum(), torch.randn(4), names=("input",))
    assert not report.ok and not report.gradcheck
    assert report.autograd_error[0] > 0.01 and report.finite_difference_error[0] > 0.01


def test_check_gradient_catches_a_wrong_value():
    report = check_gradient(mse_loss, lambda a, b: ((a - b) ** 2).sum(), torch.randn(3), torch.randn(3))
    assert not report.ok and report.value_error > 0


def test_check_gradient_bad_args():
    with pytest.raises(TypeError, match="check_gradient: args must be one or more tensors"):
        check_gradient(mse_loss, mse_loss, [1.0])
