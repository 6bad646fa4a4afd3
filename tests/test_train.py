"""Seeding, device selection and fit()."""

import functools

import numpy as np
import pytest
import torch
from torch import nn

import lossbook
from lossbook import data
from lossbook.losses import mse_loss
from lossbook.train import History, fit


def test_setup_seeds_everything_and_returns_the_device(monkeypatch):
    monkeypatch.setenv("LOSSBOOK_DEVICE", "cpu")
    assert lossbook.setup(seed=3) == torch.device("cpu")
    first = (torch.rand(1).item(), np.random.rand(), __import__("random").random())
    lossbook.setup(seed=3)
    assert first == (torch.rand(1).item(), np.random.rand(), __import__("random").random())


def test_device_env_override_and_default(monkeypatch):
    monkeypatch.setenv("LOSSBOOK_DEVICE", "cpu")
    assert lossbook.device() == torch.device("cpu")
    monkeypatch.delenv("LOSSBOOK_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert lossbook.device().type == expected


def test_device_env_bad_value(monkeypatch):
    monkeypatch.setenv("LOSSBOOK_DEVICE", "gpu0")
    with pytest.raises(ValueError, match="LOSSBOOK_DEVICE.*'gpu0'"):
        lossbook.device()


def test_setup_fixes_the_thread_count():
    before = torch.get_num_threads()
    try:
        lossbook.setup(seed=0, threads=1)
        assert torch.get_num_threads() == 1
        lossbook.setup(seed=0, threads=None)
        assert torch.get_num_threads() == 1
        torch.set_num_threads(2)
        lossbook.setup(seed=0)  # the default leaves a user's thread count alone
        assert torch.get_num_threads() == 2
        with pytest.raises(ValueError, match="setup: threads must be a positive int or None, got 0"):
            lossbook.setup(seed=0, threads=0)
    finally:
        torch.set_num_threads(before)


def test_setup_rejects_non_int_seed():
    with pytest.raises(TypeError, match="setup: seed must be an int, got str"):
        lossbook.setup(seed="0")


def _linear_problem():
    return data.linear(128, weight=2.0, bias=1.0, noise=0.1, seed=0)


def test_fit_recovers_a_line(device):
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = fit(model, mse_loss, _linear_problem(), epochs=300, lr=0.05, device=device)
    assert isinstance(history, History) and history.epochs == 300
    assert history.train_loss[-1] < 0.02 < history.train_loss[0]
    assert model.weight.item() == pytest.approx(2.0, abs=0.05)
    assert model.bias.item() == pytest.approx(1.0, abs=0.05)
    assert next(model.parameters()).device.type == device.type


def test_fit_is_reproducible_with_minibatches_and_val():
    train, val = data.split(*_linear_problem(), val_fraction=0.25, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
        metric = {"mae": lambda p, y: (p - y).abs().mean()}
        runs.append(fit(model, mse_loss, train, epochs=5, lr=0.1, batch_size=16, optimizer="sgd", val_data=val, metrics=metric, device="cpu"))
    assert runs[0] == runs[1]
    assert len(runs[0].val_loss) == 5 and len(runs[0].metrics["mae"]) == 5
    assert "val_loss=" in str(runs[0])


def test_fit_progress_bar_only_on_request(capsys):
    torch.manual_seed(0)
    quiet = fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=3, device="cpu")
    assert capsys.readouterr().err == ""
    torch.manual_seed(0)
    shown = fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=3, device="cpu", progress=True)
    assert "fit" in capsys.readouterr().err
    assert shown == quiet


def test_fit_accepts_an_optimizer_factory():
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = fit(model, mse_loss, _linear_problem(), epochs=50, lr=0.05, device="cpu", optimizer=functools.partial(torch.optim.SGD, momentum=0.9))
    assert history.train_loss[-1] < history.train_loss[0]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "fit: epochs must be a positive int, got 0"),
        ({"lr": -1.0}, ValueError, "fit: lr must be a positive number, got -1.0"),
        ({"batch_size": 0}, ValueError, "fit: batch_size must be a positive int or None, got 0"),
        ({"optimizer": "adagrad"}, ValueError, r"fit: optimizer must be one of \('sgd', 'adam', 'adamw'\)"),
        ({"data": (torch.zeros(4, 1), torch.zeros(5, 1))}, ValueError, r"same first \(batch\) dimension, got shapes \(4, 1\) and \(5, 1\)"),
        ({"data": torch.zeros(4, 1)}, TypeError, "fit: data must be a pair"),
        ({"loss_fn": lambda p, y: mse_loss(p, y, reduction="none")}, ValueError, "fit: loss_fn must return a scalar"),
    ],
)
def test_fit_bad_arguments(kwargs, error, match):
    args = {"model": nn.Linear(1, 1), "loss_fn": mse_loss, "data": (torch.zeros(4, 1), torch.zeros(4, 1)), "device": "cpu", **kwargs}
    with pytest.raises(error, match=match):
        fit(args.pop("model"), args.pop("loss_fn"), args.pop("data"), **args)
