"""lossbook.plot.reliability_diagram: draws what lossbook.metrics.reliability computes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lossbook import metrics, plot  # noqa: E402


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
