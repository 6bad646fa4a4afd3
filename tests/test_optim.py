"""lossbook.optim: each optimizer follows torch.optim's trajectory, and bad options raise clear errors.

The chapter is book/foundations/optimization.ipynb. The reference trajectories are
torch.optim's own, run on an identical copy of the model, in float64.
"""

from __future__ import annotations

import copy
import functools
import inspect

import pytest
import torch
from torch import nn

from lossbook import data, optim
from lossbook.losses import mse_loss
from lossbook.train import fit

STEPS = 60

# (name, lossbook class, torch class, options for every group, options of the second group)
CASES = [
    ("sgd", optim.SGD, torch.optim.SGD, {"lr": 0.05}, {"lr": 0.02}),
    ("sgd-momentum", optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}, {"momentum": 0.5}),
    ("sgd-dampening", optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, {"dampening": 0.0}),
    ("sgd-nesterov", optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {"lr": 0.01}),
    ("sgd-weight-decay", optim.SGD, torch.optim.SGD, {"lr": 0.05, "weight_decay": 0.1}, {"weight_decay": 0.0}),
    (
        "sgd-nesterov-weight-decay",
        optim.SGD,
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
        {"weight_decay": 0.2},
    ),
    ("adam", optim.Adam, torch.optim.Adam, {"lr": 0.01}, {"lr": 0.003}),
    ("adam-betas-eps", optim.Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3}, {"betas": (0.0, 0.99)}),
    ("adam-weight-decay", optim.Adam, torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.1}, {"weight_decay": 0.0}),
    ("adamw", optim.AdamW, torch.optim.AdamW, {"lr": 0.01}, {"lr": 0.003}),
    ("adamw-weight-decay", optim.AdamW, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.3}, {"weight_decay": 0.0}),
]


def _model(device: torch.device, dtype: torch.dtype) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A small MLP (weights of shapes (8, 3), (8,), (2, 8), (2,)) and a fixed regression batch."""
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2)).to(device, dtype)
    x = torch.randn(32, 3, generator=g).to(device, dtype)
    y = torch.randn(32, 2, generator=g).to(device, dtype)
    return model, x, y


def _groups(model: nn.Module, second: dict) -> list[dict]:
    """Two parameter groups: the first layer with the defaults, the second layer with ``second``."""
    return [{"params": model[0].parameters()}, {"params": model[2].parameters(), **second}]


def _dtype_and_tolerance(device: torch.device) -> tuple[torch.dtype, float]:
    # MPS has no float64; there the comparison is in float32 with a float32 tolerance
    return (torch.float32, 1e-5) if device.type == "mps" else (torch.float64, 1e-9)


@pytest.mark.parametrize("name, ours, theirs, options, second", CASES, ids=[c[0] for c in CASES])
def test_trajectory_matches_torch_optim(name, ours, theirs, options, second, device):
    dtype, tol = _dtype_and_tolerance(device)
    model_a, x, y = _model(device, dtype)
    model_b = copy.deepcopy(model_a)
    opt_a = ours(_groups(model_a, second), **options)
    opt_b = theirs(_groups(model_b, second), **options)
    for step in range(STEPS):
        for model, opt in ((model_a, opt_a), (model_b, opt_b)):
            opt.zero_grad()
            mse_loss(model(x), y).backward()
            opt.step()
        for (pname, a), b in zip(model_a.named_parameters(), model_b.parameters()):
            err = (a - b).abs().max().item()
            assert err <= tol, f"{name}: parameter {pname} differs by {err:.2e} after step {step + 1}"
    moved = max((a - p0).abs().max().item() for a, p0 in zip(model_a.parameters(), _model(device, dtype)[0].parameters()))
    assert moved > 1e-3, "the parameters moved: the comparison is not vacuous"


@pytest.mark.parametrize("ours, theirs", [(optim.SGD, torch.optim.SGD), (optim.Adam, torch.optim.Adam), (optim.AdamW, torch.optim.AdamW)])
def test_signature_and_defaults_mirror_torch(ours, theirs):
    mine = list(inspect.signature(ours).parameters.values())
    torch_params = inspect.signature(theirs).parameters
    positional = [p.name for p in torch_params.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert [p.name for p in mine] == positional[: len(mine)], "same names, in torch's positional order"
    for p in mine[1:]:
        assert p.default == torch_params[p.name].default, f"{ours.__name__}: default of {p.name}"


def test_sgd_by_hand():
    # f(w) = w^2, gradient 2w, lr 0.5, momentum 0.5, from w = 1:
    # step 1: buffer = 2, w = 1 - 0.5 * 2 = 0; step 2: grad 0, buffer = 0.5 * 2 + 0 = 1, w = 0 - 0.5 * 1 = -0.5
    w = torch.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.5, momentum=0.5)
    for _ in range(2):
        opt.zero_grad()
        (w**2).sum().backward()
        opt.step()
    assert w.item() == -0.5


def test_adam_first_step_is_lr_times_sign():
    # m_1 = (1 - b1) g, v_1 = (1 - b2) g^2: the bias-corrected ratio is g / (|g| + eps) ~ sign(g)
    w = torch.tensor([1.0, -100.0, 0.001], dtype=torch.float64, requires_grad=True)
    opt = optim.Adam([w], lr=0.1, eps=0.0)
    (w**2).sum().backward()
    opt.step()
    torch.testing.assert_close(w.detach(), torch.tensor([0.9, -99.9, -0.099], dtype=torch.float64))


def test_adamw_decays_weights_without_a_gradient():
    # zero gradient: m = v = 0, so only the decay acts: w (1 - lr * wd) = 2 * (1 - 0.1 * 0.5) = 1.9
    w = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    (0 * w).sum().backward()
    opt.step()
    assert w.item() == pytest.approx(1.9, abs=1e-15)


def test_parameters_without_gradient_are_skipped_and_closure_returns_the_loss():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    for cls in (optim.SGD, optim.Adam, optim.AdamW):
        opt = cls([a, b], lr=0.1)
        a.grad, b.grad = None, None

        def closure(opt=opt):
            opt.zero_grad()
            loss = (a**2).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert loss.item() == pytest.approx(2.0) and b.grad is None
        assert torch.equal(b.detach(), torch.ones(2)), f"{cls.__name__} moved a parameter without a gradient"
        assert (a.detach() < 1).all(), f"{cls.__name__} did not move the parameter with a gradient"
        with torch.no_grad():
            a.fill_(1.0)


def test_state_dict_round_trip_continues_the_same_trajectory():
    model, x, y = _model(torch.device("cpu"), torch.float64)
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(3):
        opt.zero_grad()
        mse_loss(model(x), y).backward()
        opt.step()
    twin = copy.deepcopy(model)
    twin_opt = optim.Adam(twin.parameters(), lr=0.01)
    twin_opt.load_state_dict(copy.deepcopy(opt.state_dict()))  # as torch.save/torch.load would
    for m, o in ((model, opt), (twin, twin_opt)):
        o.zero_grad()
        mse_loss(m(x), y).backward()
        o.step()
    for a, b in zip(model.parameters(), twin.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name, ours, theirs", [("sgd", optim.SGD, torch.optim.SGD), ("adam", optim.Adam, torch.optim.Adam)])
def test_fit_accepts_lossbook_optimizers(name, ours, theirs):
    train = data.linear(64, n_features=2, seed=0)
    runs = []
    for cls in (ours, theirs):
        torch.manual_seed(0)
        model = nn.Linear(2, 1).double()
        factory = functools.partial(cls, momentum=0.9) if name == "sgd" else cls
        history = fit(model, mse_loss, (train[0].double(), train[1].double()), epochs=30, lr=0.05, optimizer=factory, device="cpu")
        runs.append(history.train_loss)
    assert runs[0] == pytest.approx(runs[1], abs=1e-10)
    assert runs[0][-1] < runs[0][0] / 5, "the model trained"


BAD = [
    (optim.SGD, {"lr": -0.1}, ValueError, r"^SGD: lr must be in \[0, inf\), got -0.1$"),
    (optim.SGD, {"lr": 0.1, "momentum": -0.5}, ValueError, r"^SGD: momentum must be in \[0, inf\), got -0.5$"),
    (optim.SGD, {"lr": 0.1, "weight_decay": -1e-4}, ValueError, r"^SGD: weight_decay must be in \[0, inf\), got -0.0001$"),
    (
        optim.SGD,
        {"lr": 0.1, "nesterov": True},
        ValueError,
        r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0 and dampening=0$",
    ),
    (
        optim.SGD,
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
        ValueError,
        r"^SGD: nesterov=True requires momentum > 0 and dampening = 0, got momentum=0.9 and dampening=0.1$",
    ),
    (optim.SGD, {"lr": "0.1"}, TypeError, r"^SGD: lr must be a real number, got str$"),
    (optim.SGD, {"lr": 0.1, "nesterov": 1}, TypeError, r"^SGD: nesterov must be a bool, got int$"),
    (optim.SGD, {"lr": float("nan")}, ValueError, r"^SGD: lr must be in \[0, inf\), got nan$"),
    (optim.Adam, {"lr": -1e-3}, ValueError, r"^Adam: lr must be in \[0, inf\), got -0.001$"),
    (optim.Adam, {"betas": (1.5, 0.999)}, ValueError, r"^Adam: betas\[0\] must be in \[0, 1\), got 1.5$"),
    (optim.Adam, {"betas": (0.9, 1.0)}, ValueError, r"^Adam: betas\[1\] must be in \[0, 1\), got 1.0$"),
    (optim.Adam, {"betas": (-0.1, 0.999)}, ValueError, r"^Adam: betas\[0\] must be in \[0, 1\), got -0.1$"),
    (optim.Adam, {"betas": 0.9}, TypeError, r"^Adam: betas must be a pair \(beta1, beta2\), got 0.9$"),
    (optim.Adam, {"eps": -1e-8}, ValueError, r"^Adam: eps must be in \[0, inf\), got -1e-08$"),
    (optim.Adam, {"weight_decay": -0.1}, ValueError, r"^Adam: weight_decay must be in \[0, inf\), got -0.1$"),
    (optim.AdamW, {"weight_decay": -0.01}, ValueError, r"^AdamW: weight_decay must be in \[0, inf\), got -0.01$"),
    (optim.AdamW, {"betas": (0.9, 1.5)}, ValueError, r"^AdamW: betas\[1\] must be in \[0, 1\), got 1.5$"),
    (optim.AdamW, {"eps": -1.0}, ValueError, r"^AdamW: eps must be in \[0, inf\), got -1.0$"),
]


@pytest.mark.parametrize("cls, options, error, message", BAD, ids=[f"{c.__name__}-{'-'.join(o)}" for c, o, _, _ in BAD])
def test_bad_options_raise_clear_errors(cls, options, error, message):
    with pytest.raises(error, match=message):
        cls([torch.zeros(2, requires_grad=True)], **options)
    torch_cls = getattr(torch.optim, cls.__name__)
    if error is ValueError and "nan" not in message:  # torch rejects the same values (with its own words)
        with pytest.raises(ValueError):
            torch_cls([torch.zeros(2, requires_grad=True)], **options)


def test_bad_options_in_a_parameter_group_raise_too():
    # torch only checks the constructor's defaults; a group's own options are checked here as well
    w, v = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"^SGD: momentum must be in \[0, inf\), got -1$"):
        optim.SGD([{"params": [w]}, {"params": [v], "momentum": -1}], lr=0.1)
    opt = optim.Adam([w], lr=0.1)
    with pytest.raises(ValueError, match=r"^Adam: betas\[0\] must be in \[0, 1\), got 1.5$"):
        opt.add_param_group({"params": [v], "betas": (1.5, 0.9)})
