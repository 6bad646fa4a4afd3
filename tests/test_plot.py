"""lossbook.plot: what each figure draws, and that no figure changes global matplotlib state."""

import matplotlib

matplotlib.use("Agg")

import subprocess  # noqa: E402
import sys  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lossbook import data, metrics, plot  # noqa: E402
from lossbook.losses import mse_loss  # noqa: E402
from lossbook.train import History  # noqa: E402


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


def _probabilities(seed: int = 0, n: int = 200, k: int = 3):
    g = torch.Generator().manual_seed(seed)
    p = torch.softmax(3 * torch.randn(n, k, generator=g), dim=1)
    y = torch.randint(0, k, (n,), generator=g)
    return p, y


def test_one_line_per_model_through_the_bins_of_metrics_reliability():
    p, y = _probabilities()
    q = torch.softmax(torch.log(p) / 3, dim=1)  # the same ranking, less confident
    ax = plot.reliability_diagram({"sharp": p, "soft": q}, y, bins=8)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["calibrated", "sharp", "soft"]
    assert list(lines[0].get_xdata()) == [0, 1] and list(lines[0].get_ydata()) == [0, 1]
    for line, probs in zip(lines[1:], (p, q)):
        confidence, accuracy, _ = metrics.reliability(probs, y, bins=8)
        assert list(line.get_xdata()) == pytest.approx(confidence)
        assert list(line.get_ydata()) == pytest.approx(accuracy)
    assert len(ax.collections) == 2  # one scatter of bins per model
    plt.close(ax.figure)


def test_single_tensor_and_given_axes():
    p, y = _probabilities(1)
    fig, ax = plt.subplots()
    assert plot.reliability_diagram(p, y, ax=ax) is ax
    assert ax.get_lines()[1].get_label() == "model"
    plt.close(fig)


def test_bad_probabilities_raise_the_metrics_error():
    _, y = _probabilities()
    with pytest.raises(ValueError, match="reliability: probabilities must be in"):
        plot.reliability_diagram(torch.randn(200, 3), y)
    plt.close("all")


def test_importing_lossbook_does_not_import_matplotlib():
    """A library user who never plots never pays for matplotlib; lossbook.plot loads it on first use."""
    code = (
        "import sys, lossbook\n"
        "from lossbook.losses import mse_loss, cross_entropy\n"
        "from lossbook import data, gradcheck, metrics, optim, train\n"
        "assert 'matplotlib' not in sys.modules, 'imported matplotlib'\n"
        "assert 'plot' in dir(lossbook)\n"
        "lossbook.plot.history\n"
        "assert 'matplotlib' in sys.modules, 'lossbook.plot did not load matplotlib'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
