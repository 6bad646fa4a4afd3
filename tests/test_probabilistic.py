"""Gaussian, beta, Student-t and Poisson NLLs: values computed by hand, reference formulas, PyTorch's shape rules and clamp, and errors.

The generic suite (value, gradients, gradcheck, PyTorch's own sample inputs) is test_losses.py.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from lossbook import data
from lossbook.losses import (
    BetaNLLLoss,
    GaussianNLLLoss,
    PoissonNLLLoss,
    StudentTNLLLoss,
    beta_nll_loss,
    gaussian_nll_loss,
    poisson_nll_loss,
    student_t_nll_loss,
)

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
    with pytest.raises(ValueError, match=r"gaussian_nll_loss: var values must be in \[0, inf\], got values in \[-0.001, 1\]"):
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



# --- beta-NLL (Seitzer et al. 2022): the Gaussian NLL of each element times stop-gradient(var^beta)


def _beta_nll_reference(mu, y, var, beta, eps=1e-6):
    """The paper's formula, element-wise, with the weight detached and the clamp outside autograd (as F.gaussian_nll_loss)."""
    v = var.clone()
    with torch.no_grad():
        v.clamp_(min=eps)
    return 0.5 * (torch.log(v) + (mu - y) ** 2 / v) * v.detach() ** beta


def _float64_args(shape=(5, 3), seed=0):
    g = torch.Generator().manual_seed(seed)
    mu, y = (torch.randn(shape, generator=g, dtype=torch.float64) for _ in range(2))
    return mu, y, 0.2 + torch.rand(shape, generator=g, dtype=torch.float64)


def test_beta_nll_hand_computed_values():
    # beta = 0.5: sqrt(1) (0 + 1) / 2 = 0.5 and sqrt(4) (log 4 + 0) / 2 = log 4
    mu, y, var = torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), torch.tensor([1.0, 4.0])
    torch.testing.assert_close(beta_nll_loss(mu, y, var, reduction="none"), torch.tensor([0.5, math.log(4)]))
    # beta = 1: 4 (log 4) / 2
    assert beta_nll_loss(mu, y, var, beta=1.0, reduction="sum").item() == pytest.approx(0.5 + 2 * math.log(4))


@pytest.mark.parametrize("beta", [0.0, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_beta_nll_matches_reference_in_value_and_gradients(beta, reduction):
    args = _float64_args()
    ours = [a.clone().requires_grad_(True) for a in args]
    ref = [a.clone().requires_grad_(True) for a in args]
    out = beta_nll_loss(*ours, beta=beta, reduction=reduction)
    expected = _beta_nll_reference(*ref, beta)
    expected = expected.mean() if reduction == "mean" else expected.sum() if reduction == "sum" else expected
    torch.testing.assert_close(out, expected)
    for a, b in zip(torch.autograd.grad(out.sum(), ours), torch.autograd.grad(expected.sum(), ref)):
        torch.testing.assert_close(a, b)


def test_beta_nll_gradient_formula_and_gradcheck():
    mu, y, var = _float64_args(seed=1)
    beta = 0.5
    leaves = [t.clone().requires_grad_(True) for t in (mu, y, var)]
    g_mu, g_y, g_var = torch.autograd.grad(beta_nll_loss(*leaves, beta=beta, reduction="sum"), leaves)
    r = mu - y
    torch.testing.assert_close(g_mu, r / var ** (1 - beta))  # (mu - y) / v^(1 - beta)
    torch.testing.assert_close(g_y, -r / var ** (1 - beta))
    torch.testing.assert_close(g_var, var**beta * (var - r**2) / (2 * var**2))
    # gradcheck differentiates the value numerically, and the value's weight var^beta is not
    # stopped there: the mean and the target, which the weight does not depend on, are checked
    # by gradcheck; the variance against finite differences of the value minus the weight's
    # own derivative, beta v^(beta - 1) times the Gaussian NLL
    assert torch.autograd.gradcheck(lambda m, t: beta_nll_loss(m, t, var, beta=beta), (mu.clone().requires_grad_(), y.clone().requires_grad_()))
    h = 1e-6
    plus, minus = (beta_nll_loss(mu, y, var + d, beta=beta, reduction="none") for d in (h, -h))
    finite = (plus - minus) / (2 * h)
    weight_term = beta * var ** (beta - 1) * gaussian_nll_loss(mu, y, var, reduction="none")
    torch.testing.assert_close(g_var, finite - weight_term, atol=1e-7, rtol=1e-6)


def test_beta_nll_at_beta_zero_is_gaussian_nll():
    mu, y, var = _float64_args(seed=2)
    for reduction in ("none", "mean", "sum"):
        a = [t.clone().requires_grad_(True) for t in (mu, y, var)]
        b = [t.clone().requires_grad_(True) for t in (mu, y, var)]
        ours, theirs = beta_nll_loss(*a, beta=0.0, reduction=reduction), gaussian_nll_loss(*b, full=False, reduction=reduction)
        torch.testing.assert_close(ours, theirs)
        for ga, gb in zip(torch.autograd.grad(ours.sum(), a), torch.autograd.grad(theirs.sum(), b)):
            torch.testing.assert_close(ga, gb)


def test_beta_nll_clamp_is_not_differentiated():
    # var 0 and 1e-5 sit below eps = 1e-3: the loss and the gradient use 1e-3 (the formula there), not the clamp's zero
    mu, y = torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    var = torch.tensor([0.0, 1e-5, 2.0], dtype=torch.float64, requires_grad=True)
    loss = beta_nll_loss(mu, y, var, beta=0.5, eps=1e-3, reduction="sum")
    ref = torch.tensor([0.0, 1e-5, 2.0], dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(loss, _beta_nll_reference(mu, y, ref, 0.5, eps=1e-3).sum())
    loss.backward()
    v = torch.tensor([1e-3, 1e-3, 2.0], dtype=torch.float64)
    torch.testing.assert_close(var.grad, v**0.5 * (v - mu**2) / (2 * v**2))


def test_beta_nll_shapes_and_errors():
    x = torch.zeros(5, 2)
    torch.testing.assert_close(beta_nll_loss(x, x, torch.ones(5, 1)), beta_nll_loss(x, x, torch.ones(5, 2)))  # gaussian_nll_loss's shapes
    with pytest.raises(ValueError, match=r"beta_nll_loss: var shape \(5, 3\) does not match input shape \(5, 2\)"):
        beta_nll_loss(x, x, torch.ones(5, 3))
    with pytest.raises(ValueError, match=r"beta_nll_loss: beta must be in \[0.0, inf\], got -0.5"):
        beta_nll_loss(x, x, torch.ones(5, 2), beta=-0.5)
    with pytest.raises(ValueError, match="beta_nll_loss: beta must be finite, got inf"):  # v^inf is 0 or inf: NaN losses
        beta_nll_loss(x, x, torch.ones(5, 2), beta=math.inf)
    with pytest.raises(ValueError, match="BetaNLLLoss: beta must be finite, got inf"):
        BetaNLLLoss(beta=math.inf)
    with pytest.raises(TypeError, match="beta_nll_loss: beta must be a real number, got Tensor"):
        beta_nll_loss(x, x, torch.ones(5, 2), beta=torch.tensor(0.5))
    with pytest.raises(ValueError, match=r"beta_nll_loss: var values must be in \[0, inf\]"):
        beta_nll_loss(x, x, -torch.ones(5, 2))
    with pytest.raises(ValueError, match="BetaNLLLoss: beta must be in"):
        BetaNLLLoss(beta=-1.0)


# --- Student-t NLL with a learned scale (the choosing chapter)


@pytest.mark.parametrize("df", [0.5, 1.0, 3.0, 30.0])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_student_t_equals_torch_distribution(df, reduction):
    mu, y, var = _float64_args(seed=3)
    scale = var.sqrt()
    ours = [t.clone().requires_grad_(True) for t in (mu, y, scale)]
    ref = [t.clone().requires_grad_(True) for t in (mu, y, scale)]
    out = student_t_nll_loss(*ours, df=df, reduction=reduction)
    expected = -torch.distributions.StudentT(df, ref[0], ref[2]).log_prob(ref[1])
    expected = expected.mean() if reduction == "mean" else expected.sum() if reduction == "sum" else expected
    torch.testing.assert_close(out, expected)
    for a, b in zip(torch.autograd.grad(out.sum(), ours), torch.autograd.grad(expected.sum(), ref)):
        torch.testing.assert_close(a, b)


def test_student_t_hand_computed_values_and_gradient():
    # Cauchy (df = 1), unit scale: -log p(0) = log pi, -log p(1) = log pi + log 2
    mu, y = torch.zeros(2, dtype=torch.float64, requires_grad=True), torch.tensor([0.0, 1.0], dtype=torch.float64)
    s = torch.ones(2, dtype=torch.float64, requires_grad=True)
    loss = student_t_nll_loss(mu, y, s, df=1.0, reduction="none")
    torch.testing.assert_close(loss, torch.tensor([math.log(math.pi), math.log(math.pi) + math.log(2)], dtype=torch.float64))
    loss.sum().backward()
    # d/dmu = (nu + 1) r / (nu s^2 + r^2) = [0, 2 (-1) / 2];  d/ds = nu (s^2 - r^2) / (s (nu s^2 + r^2)) = [1, 0]
    torch.testing.assert_close(mu.grad, torch.tensor([0.0, -1.0], dtype=torch.float64))
    torch.testing.assert_close(s.grad, torch.tensor([1.0, 0.0], dtype=torch.float64))


def test_student_t_gradcheck_and_large_df_tends_to_gaussian():
    mu, y, var = _float64_args(seed=4)
    leaves = tuple(t.clone().requires_grad_(True) for t in (mu, y, var.sqrt()))
    assert torch.autograd.gradcheck(lambda m, t, s: student_t_nll_loss(m, t, s, df=3.0, reduction="sum"), leaves)
    gaussian = gaussian_nll_loss(mu, y, var, full=True, reduction="none")
    torch.testing.assert_close(student_t_nll_loss(mu, y, var.sqrt(), df=1e7, reduction="none"), gaussian, atol=1e-5, rtol=0)


def test_student_t_eps_clamps_the_scale_without_gradient_through_the_clamp():
    mu, y = torch.tensor([1.0, 0.5, 2.0], dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    s = torch.tensor([0.0, 1e-4, 2.0], dtype=torch.float64, requires_grad=True)
    loss = student_t_nll_loss(mu, y, s, df=3.0, eps=1e-2, reduction="none")
    at_eps = torch.tensor([1e-2, 1e-2, 2.0], dtype=torch.float64)
    torch.testing.assert_close(loss, -torch.distributions.StudentT(3.0, mu, at_eps).log_prob(y))
    loss.sum().backward()
    torch.testing.assert_close(s.grad, 3.0 * (at_eps**2 - mu**2) / (at_eps * (3.0 * at_eps**2 + mu**2)))


def test_student_t_errors():
    x = torch.zeros(4)
    with pytest.raises(TypeError, match="student_t_nll_loss: df must be a real number, got Tensor"):
        student_t_nll_loss(x, x, torch.ones(4), df=torch.tensor(3.0))
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"student_t_nll_loss: df must be in \(0.0, inf\)"):
            student_t_nll_loss(x, x, torch.ones(4), df=bad)
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'df'"):
        student_t_nll_loss(x, x, torch.ones(4))
    with pytest.raises(ValueError, match=r"student_t_nll_loss: scale values must be in \[0, inf\]"):
        student_t_nll_loss(x, x, torch.tensor([1.0, -1.0, 1.0, 1.0]), df=3.0)
    with pytest.raises(ValueError, match=r"student_t_nll_loss: scale shape \(3,\) does not match input shape \(4,\)"):
        student_t_nll_loss(x, x, torch.ones(3), df=3.0)
    with pytest.raises(ValueError, match="StudentTNLLLoss: df must be in"):
        StudentTNLLLoss(df=0.0)


def test_new_module_reprs_and_forward():
    assert repr(BetaNLLLoss()) == "BetaNLLLoss(beta=0.5, eps=1e-06, reduction='mean')"
    assert repr(StudentTNLLLoss(df=3.0)) == "StudentTNLLLoss(df=3.0, eps=1e-06, reduction='mean')"
    mu, y, var = _float64_args(seed=5)
    torch.testing.assert_close(BetaNLLLoss(beta=1.0, reduction="sum")(mu, y, var), beta_nll_loss(mu, y, var, beta=1.0, reduction="sum"))
    torch.testing.assert_close(StudentTNLLLoss(df=2.0)(mu, y, var), student_t_nll_loss(mu, y, var, df=2.0))


def test_two_noise_levels_data():
    x, y = data.two_noise_levels(4000, seed=0)
    assert x.shape == y.shape == (4000, 1) and torch.equal(y, data.two_noise_levels(4000, seed=0)[1])
    residual = (y - torch.sin(3 * x)).squeeze()
    quiet, noisy = residual[x.squeeze() < 0], residual[x.squeeze() >= 0]
    assert abs(quiet.std().item() - 0.03) < 0.003 and abs(noisy.std().item() - 0.3) < 0.03
    with pytest.raises(ValueError, match="two_noise_levels: noise must be two standard deviations >= 0"):
        data.two_noise_levels(10, noise=(-0.1, 0.3))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("df", [1.0, 3.0])
def test_student_t_extreme_inputs_stay_finite(dtype, df):
    # residuals of 1e4 and scales of 0 (clamped to eps), 1e-8 and 1e4
    x = torch.tensor([1e4, -1e4, 0.5, 3.0], dtype=dtype, requires_grad=True)
    s = torch.tensor([0.0, 1e4, 1e-8, 2.0], dtype=dtype, requires_grad=True)
    for reduction in ("none", "mean", "sum"):
        out = student_t_nll_loss(x, torch.zeros_like(x), s, df=df, reduction=reduction)
        assert torch.isfinite(out).all()
        x.grad = s.grad = None
        out.sum().backward()
        assert torch.isfinite(x.grad).all() and torch.isfinite(s.grad).all()


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_hand_written_backwards_are_twice_differentiable(reduction):
    # the probabilistic chapter takes the Hessian of poisson_nll_loss with autograd; every backward stays differentiable
    mu, y, var = _float64_args(shape=(3, 2), seed=6)
    counts = torch.tensor([[0.0, 1.5], [3.0, 0.5], [2.0, 4.0]], dtype=torch.float64)
    calls = [
        (lambda a, b, c: gaussian_nll_loss(a, b, c, reduction=reduction), (mu, y, var)),
        (lambda a, b: poisson_nll_loss(a, b, full=True, reduction=reduction), (mu, counts)),
        (lambda a: poisson_nll_loss(a, counts, log_input=False, reduction=reduction), (var,)),
        (lambda a, b: beta_nll_loss(a, b, var, reduction=reduction), (mu, y)),
        (lambda a, b, c: student_t_nll_loss(a, b, c, df=3.0, reduction=reduction), (mu, y, var)),
    ]
    for fn, args in calls:
        assert torch.autograd.gradgradcheck(fn, tuple(a.clone().requires_grad_(True) for a in args))
