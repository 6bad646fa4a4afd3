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


def test_fit_progress_without_tqdm_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name == "tqdm" or name.startswith("tqdm."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    with pytest.raises(ImportError, match=r"fit: progress=True needs tqdm.*lossbook\[progress\]"):
        fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=1, device="cpu", progress=True)
    fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=1, device="cpu")  # without progress, tqdm is not needed


def test_fit_scheduler_steps_once_per_epoch():
    torch.manual_seed(0)
    model = nn.Linear(1, 1)

    def decay(opt):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    history = fit(model, mse_loss, _linear_problem(), epochs=6, lr=0.1, batch_size=16, optimizer="sgd", scheduler=decay, device="cpu")
    # 8 mini-batches per epoch, but the schedule counts epochs: halved every 2 epochs
    assert history.lr == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])

    # the same run by hand, with the learning rate set at each epoch, gives the same parameters
    torch.manual_seed(0)
    manual = nn.Linear(1, 1)
    x, y = _linear_problem()
    opt = torch.optim.SGD(manual.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(0)
    for epoch in range(6):
        opt.param_groups[0]["lr"] = 0.1 * 0.5 ** (epoch // 2)
        order = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), 16):
            idx = order[start : start + 16]
            opt.zero_grad()
            mse_loss(manual(x[idx]), y[idx]).backward()
            opt.step()
    for a, b in zip(model.parameters(), manual.parameters()):
        torch.testing.assert_close(a, b)


def test_fit_without_scheduler_keeps_the_learning_rate():
    history = fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=3, lr=0.05, device="cpu")
    assert history.lr == [0.05] * 3 and history.grad_norm == []


def test_fit_clip_grad_norm_bounds_every_step():
    # a large loss scale: unclipped, SGD at this lr diverges; clipped, every step has length <= lr * max_norm
    x, y = _linear_problem()

    def scaled(p, t):
        return 1000 * mse_loss(p, t)

    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    start = torch.cat([p.detach().flatten() for p in model.parameters()])
    first = torch.cat([g.flatten() for g in torch.autograd.grad(scaled(model(x), y), list(model.parameters()))]).norm().item()
    history = fit(model, scaled, (x, y), epochs=200, lr=0.01, optimizer="sgd", clip_grad_norm=1.0, device="cpu")
    assert len(history.grad_norm) == 200 and max(history.grad_norm) > 1.0  # clipping was active
    assert history.grad_norm[0] == pytest.approx(first)  # the norm recorded is the one before clipping
    end = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert (end - start).norm().item() <= 200 * 0.01 * 1.0 + 1e-6
    assert history.train_loss[-1] < history.train_loss[0]
    torch.manual_seed(0)
    unclipped = fit(nn.Linear(1, 1), scaled, (x, y), epochs=5, lr=0.01, optimizer="sgd", device="cpu")
    assert not unclipped.train_loss[-1] < unclipped.train_loss[0]  # diverges (or overflows to nan) without clipping


def test_fit_clip_grad_norm_is_inactive_above_the_gradient():
    runs = []
    for clip in (None, 1e6):
        torch.manual_seed(0)
        runs.append(fit(nn.Linear(1, 1), mse_loss, _linear_problem(), epochs=5, lr=0.05, optimizer="sgd", clip_grad_norm=clip, device="cpu"))
    assert runs[0].train_loss == runs[1].train_loss


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"clip_grad_norm": 0.0}, ValueError, "fit: clip_grad_norm must be a positive number or None, got 0.0"),
        ({"clip_grad_norm": "1"}, ValueError, "fit: clip_grad_norm must be a positive number or None, got '1'"),
        ({"scheduler": 3}, TypeError, r"fit: scheduler must be a callable scheduler\(optimizer\) or None, got int"),
        ({"scheduler": lambda opt: 0.5}, TypeError, r"fit: scheduler\(optimizer\) must return an object with a step\(\) method, got float"),
    ],
)
def test_fit_bad_scheduler_and_clip(kwargs, error, match):
    with pytest.raises(error, match=match):
        fit(nn.Linear(1, 1), mse_loss, (torch.zeros(4, 1), torch.zeros(4, 1)), device="cpu", **kwargs)
