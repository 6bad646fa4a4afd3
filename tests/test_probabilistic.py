"""Gaussian and Poisson NLL: values computed by hand, PyTorch's shape rules and clamp, and errors.

The generic suite (value, gradients, gradcheck, PyTorch's own sample inputs) is test_losses.py.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import GaussianNLLLoss, PoissonNLLLoss, gaussian_nll_loss, poisson_nll_loss

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def test_gaussian_hand_computed_values():
    # (log 1 + (0 - 1)^2 / 1) / 2 = 0.5 and (log 4 + 0 / 4) / 2 = log 2
    mu, y, var = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), torch.tensor([1.0, 4.0])
    torch.testing.assert_close(gaussian_nll_loss(mu, y, var, reduction="none"), torch.tensor([0.5, math.log(2)]))
    assert gaussian_nll_loss(mu, y, var, reduction="sum").item() == pytest.approx(0.5 + math.log(2))
    # full adds log(2 pi) / 2 to each element
    assert gaussian_nll_loss(mu, y, var, full=True).item() == pytest.approx((0.5 + math.log(2)) / 2 + HALF_LOG_2PI)


def test_gaussian_full_is_the_exact_negative_log_density():
    g = torch.Generator().manual_seed(0)
    mu, y = torch.randn(50, generator=g, dtype=torch.float64), torch.randn(50, generator=g, dtype=torch.float64)
    var = 0.1 + torch.rand(50, generator=g, dtype=torch.float64)
    exact = -torch.distributions.Normal(mu, var.sqrt()).log_prob(y)
    torch.testing.assert_close(gaussian_nll_loss(mu, y, var, full=True, reduction="none"), exact)


def test_gaussian_hand_computed_gradient():
    # d/dmu = (mu - y) / v = [-1, 0.5];  d/dv = (v - r^2) / (2 v^2) = [0, (2 - 1) / 8]
    mu = torch.tensor([0.0, 2.0], requires_grad=True)
    var = torch.tensor([1.0, 2.0], requires_grad=True)
    gaussian_nll_loss(mu, torch.tensor([1.0, 1.0]), var, reduction="sum").backward()
    torch.testing.assert_close(mu.grad, torch.tensor([-1.0, 0.5]))
    torch.testing.assert_close(var.grad, torch.tensor([0.0, 0.125]))


def _compare_with_torch(args, grad_idx, **kwargs):
    leaves = [a.detach().clone().requires_grad_(i in grad_idx) if isinstance(a, torch.Tensor) else a for i, a in enumerate(args)]
    ours, theirs = gaussian_nll_loss(*leaves, **kwargs), F.gaussian_nll_loss(*leaves, **kwargs)
    torch.testing.assert_close(ours, theirs)
    wanted = [leaves[i] for i in grad_idx]
    for a, b in zip(torch.autograd.grad(ours.sum(), wanted), torch.autograd.grad(theirs.sum(), wanted)):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize(
    "input_shape, target_shape, var_shape",
    [
        ((5, 2), (5, 2), (5, 2)),  # heteroscedastic
        ((5, 2), (5, 2), (5, 1)),  # one variance per row
        ((5, 2), (5, 2), (5,)),  # one fewer dimension: unsqueezed at the end
        ((5, 2), (5, 2), (1, 2)),  # one variance per column
        ((5,), (5,), ()),  # a 0-d variance for a 1-d input
        ((5, 2, 3), (5, 1, 3), (5, 2, 1)),  # target and variance both broadcast
        ((5, 2), (2,), (5, 2)),  # a missing leading target dimension counts as 1
    ],
)
def test_gaussian_documented_shapes_match_torch(input_shape, target_shape, var_shape):
    g = torch.Generator().manual_seed(1)
    args = (
        torch.randn(input_shape, generator=g, dtype=torch.float64),
        torch.randn(target_shape, generator=g, dtype=torch.float64),
        0.1 + torch.rand(var_shape, generator=g, dtype=torch.float64),
    )
    for reduction in ("none", "mean", "sum"):
        _compare_with_torch(args, (0, 1, 2), reduction=reduction)


def test_gaussian_number_variance_matches_torch():
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    _compare_with_torch((x, y, 0.5), (0, 1))
    torch.testing.assert_close(gaussian_nll_loss(x, y, 0.5), gaussian_nll_loss(x, y, torch.full((4, 3), 0.5)))


def test_gaussian_clamp_is_not_differentiated_as_in_torch():
    # variances 0 and 1e-5 sit below eps = 1e-3: the loss uses 1e-3, and their gradient is the
    # formula's at 1e-3, (v - r^2) / (2 v^2), not the zero of the clamp's own derivative
    mu, y = torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    var = torch.tensor([0.0, 1e-5, 2.0], dtype=torch.float64)
    _compare_with_torch((mu, y, var), (0, 1, 2), eps=1e-3, reduction="sum")
    v = var.clone().requires_grad_(True)
    gaussian_nll_loss(mu, y, v, eps=1e-3, reduction="sum").backward()
    clamped = torch.tensor([1e-3, 1e-3, 2.0], dtype=torch.float64)
    torch.testing.assert_close(v.grad, (clamped - mu**2) / (2 * clamped**2))


def test_gaussian_shape_errors():
    x = torch.zeros(5, 2)
    with pytest.raises(ValueError, match=r"gaussian_nll_loss: var shape \(5, 3\) does not match input shape \(5, 2\)"):
        gaussian_nll_loss(x, x, torch.ones(5, 3))
    # PyTorch refuses these too ("var is of incorrect size"): a 0-d variance for a 2-d input,
    # and a variance missing a leading (not the last) dimension
    with pytest.raises(ValueError, match=r"var shape \(\) does not match"):
        gaussian_nll_loss(x, x, torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"var shape \(2,\) does not match"):
        gaussian_nll_loss(x, x, torch.ones(2))
    with pytest.raises(ValueError, match=r"target shape \(5, 1, 2\) does not match input shape \(5, 2\)"):
        gaussian_nll_loss(x, torch.zeros(5, 1, 2), torch.ones(5, 2))
    with pytest.raises(ValueError, match=r"target shape \(1, 1\) does not match"):  # two broadcast dimensions
        gaussian_nll_loss(x, torch.zeros(1, 1), torch.ones(5, 2))


def test_gaussian_negative_variance():
    with pytest.raises(ValueError, match="gaussian_nll_loss: var must be non-negative"):
        gaussian_nll_loss(torch.zeros(3), torch.zeros(3), torch.tensor([1.0, -1e-3, 0.0]))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var must be non-negative"):
        gaussian_nll_loss(torch.zeros(3), torch.zeros(3), -2.0)
    # zero is allowed: it is clamped to eps
    assert torch.isfinite(gaussian_nll_loss(torch.zeros(3), torch.ones(3), torch.zeros(3)))


def test_poisson_hand_computed_values():
    # log_input: e^eta - y eta = [1 - 0, 2 - 3 log 2];  rate input: lambda - y log(lambda + eps)
    eta, y = torch.tensor([0.0, math.log(2.0)], dtype=torch.float64), torch.tensor([0.0, 3.0], dtype=torch.float64)
    torch.testing.assert_close(poisson_nll_loss(eta, y, reduction="none"), torch.tensor([1.0, 2 - 3 * math.log(2)], dtype=torch.float64))
    rate = torch.tensor([1.0, 2.0], dtype=torch.float64)
    expected = torch.tensor([1.0, 2 - 3 * math.log(2.5)], dtype=torch.float64)
    torch.testing.assert_close(poisson_nll_loss(rate, y, log_input=False, eps=0.5, reduction="none"), expected)


def test_poisson_hand_computed_gradient():
    # d/deta = e^eta - y = [1, 2 - 3];  d/dy = -eta = [0, -log 2]
    eta = torch.tensor([0.0, math.log(2.0)], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.0, 3.0], dtype=torch.float64, requires_grad=True)
    poisson_nll_loss(eta, y, reduction="sum").backward()
    torch.testing.assert_close(eta.grad, torch.tensor([1.0, -1.0], dtype=torch.float64))
    torch.testing.assert_close(y.grad, torch.tensor([0.0, -math.log(2)], dtype=torch.float64))


def test_poisson_full_is_stirling():
    # exact for counts 0 and 1 (log 0! = log 1! = 0); for y >= 2 Stirling falls short of log y! by less than 1 / (12 y)
    rate = torch.full((8,), 3.0, dtype=torch.float64)
    y = torch.arange(8, dtype=torch.float64)
    full = poisson_nll_loss(rate, y, log_input=False, eps=0.0, full=True, reduction="none")
    exact = -torch.distributions.Poisson(rate).log_prob(y)
    torch.testing.assert_close(full[:2], exact[:2])
    gap = exact[2:] - full[2:]
    assert ((gap > 0) & (gap < 1 / (12 * y[2:]))).all()


def test_poisson_full_target_gradient_is_finite_at_zero_count():
    # torch's autograd gives NaN here (0 * log 0 inside its masked Stirling term); the term is 0 for y <= 1
    eta = torch.zeros(3, dtype=torch.float64)
    y = torch.tensor([0.0, 1.0, 4.0], dtype=torch.float64, requires_grad=True)
    poisson_nll_loss(eta, y, full=True, reduction="sum").backward()
    torch.testing.assert_close(y.grad, torch.tensor([0.0, 0.0, math.log(4) + 1 / 8], dtype=torch.float64))


def test_poisson_shape_and_option_errors():
    with pytest.raises(ValueError, match=r"poisson_nll_loss: target shape \(3, 1\) does not match input shape \(3,\)"):
        poisson_nll_loss(torch.zeros(3), torch.zeros(3, 1))
    with pytest.raises(TypeError, match="poisson_nll_loss: target must be a floating-point tensor"):
        poisson_nll_loss(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="PoissonNLLLoss: reduction must be one of"):
        PoissonNLLLoss(reduction="avg")
    with pytest.raises(ValueError, match="GaussianNLLLoss: eps must be in"):
        GaussianNLLLoss(eps=-1.0)


def test_module_reprs():
    assert repr(GaussianNLLLoss(full=True)) == "GaussianNLLLoss(full=True, eps=1e-06, reduction='mean')"
    assert repr(PoissonNLLLoss(log_input=False)) == "PoissonNLLLoss(log_input=False, full=False, eps=1e-08, reduction='mean')"
