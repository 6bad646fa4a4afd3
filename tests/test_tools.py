"""lossbook.gradcheck and lossbook.plot."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lossbook import data, plot  # noqa: E402
from lossbook.gradcheck import check_gradient  # noqa: E402
from lossbook.losses import mse_loss  # noqa: E402
from lossbook.train import History  # noqa: E402


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


def _no_global_state_change(draw):
    before = dict(matplotlib.rcParams)
    axes = draw()
    assert dict(matplotlib.rcParams) == before
    plt.close("all")
    return axes


def test_plot_loss_and_gradient_draws_autograd_derivative():
    ax_loss, ax_grad = _no_global_state_change(
        lambda: plot.loss_and_gradient({"mse": lambda r: mse_loss(r, torch.zeros_like(r), reduction="none")})
    )
    xs, ys = ax_grad.lines[0].get_data()
    torch.testing.assert_close(torch.as_tensor(ys), 2 * torch.as_tensor(xs))


def test_plot_history_and_predictions():
    h = History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.6])
    ax = _no_global_state_change(lambda: plot.history({"run": h}))
    assert len(ax.lines) == 2
    x, y = data.linear(20, seed=0)
    model = torch.nn.Linear(1, 1)
    ax = _no_global_state_change(lambda: plot.predictions(x, y, {"linear": model}, highlight=torch.zeros(20, dtype=torch.bool)))
    assert len(ax.lines) == 1


def test_plot_decision_regions_binary_and_multiclass():
    x, y = data.blobs(60, n_classes=3, seed=0)
    ax = _no_global_state_change(lambda: plot.decision_regions(torch.nn.Linear(2, 3), x, y, resolution=20))
    assert len(ax.collections) >= 3
    xb, yb = data.moons(40, seed=0)
    ax = _no_global_state_change(lambda: plot.decision_regions(torch.nn.Linear(2, 1), xb, yb, resolution=20))
    assert len(ax.collections) >= 2
