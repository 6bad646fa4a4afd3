"""MSE-specific checks: values computed by hand, and errors. The generic suite is test_losses.py."""

import pytest
import torch

from lossbook.losses import MSELoss, mse_loss


def test_hand_computed_values():
    # residuals 0, 2, 3: squares 0, 4, 9; sum 13, mean 13/3
    x, y = torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 0.0, 1.0])
    assert mse_loss(x, y, reduction="sum").item() == 13.0
    assert mse_loss(x, y).item() == pytest.approx(13 / 3)
    assert mse_loss(x, y, reduction="none").tolist() == [0.0, 4.0, 9.0]


def test_weighted_mean_divides_by_the_sum_of_weights():
    # (1 * 4 + 3 * 9) / (1 + 3) = 31 / 4, as torch.nn.functional.mse_loss documents
    x, y, w = torch.tensor([2.0, 3.0]), torch.zeros(2), torch.tensor([1.0, 3.0])
    assert mse_loss(x, y, weight=w).item() == pytest.approx(31 / 4)


def test_hand_computed_gradient():
    # d/dx mean((x - y)^2) = 2 (x - y) / n = [0, 4/3, 2]
    x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    mse_loss(x, torch.tensor([1.0, 0.0, 1.0])).backward()
    torch.testing.assert_close(x.grad, torch.tensor([0.0, 4 / 3, 2.0]))


def test_issue_examples_of_bad_input():
    with pytest.raises(ValueError, match=r"\(4,\).*\(3,\)"):
        mse_loss(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="'none', 'mean', 'sum'"):
        mse_loss(torch.zeros(3), torch.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        MSELoss(reduction="avg")
    with pytest.raises(TypeError, match="mse_loss: target must be a torch.Tensor, got list"):
        mse_loss(torch.zeros(3), [0.0, 0.0, 0.0])


def test_float16_large_residual_does_not_overflow():
    # 300^2 = 90000 overflows float16 (max 65504), but is computed in float32
    x = torch.tensor([300.0, 0.0], dtype=torch.float16)
    out = mse_loss(x, torch.zeros_like(x), reduction="sum")
    assert out.dtype == torch.float16 and torch.isinf(out)  # the sum itself does not fit in float16
    assert mse_loss(x / 2, torch.zeros_like(x)).item() == pytest.approx(150.0**2 / 2, rel=1e-3)


def test_module_repr():
    assert repr(MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
