"""lossbook/losses/_exp.py: the exponential as exp2 on large CPU tensors, within the error its docstring states."""

import torch

from lossbook.losses._exp import _EXP2_FROM, exp, exp_, logsumexp


def _relative_error(dtype, low, high, n):
    x = torch.linspace(low, high, n, dtype=dtype)
    exact = x.double().exp() if dtype != torch.float64 else x.exp()
    return ((exp(x).double() - exact).abs() / exact).max().item()


def test_large_tensors_take_exp2_within_about_0_4_abs_x_ulps():
    n = 4 * _EXP2_FROM
    assert _relative_error(torch.float32, -20.0, 20.0, n) < 1.5e-6  # 0.4 * 20 ulps of 1.2e-7
    assert _relative_error(torch.float32, -87.0, 0.0, n) < 5e-6
    assert _relative_error(torch.float64, -20.0, 20.0, n) < 3e-15
    assert _relative_error(torch.float64, -700.0, 0.0, n) < 7e-14
    x = torch.linspace(-20.0, 0.0, n)
    assert not torch.equal(exp(x), torch.exp(x))  # it is the other computation, not torch.exp


def test_small_tensors_take_torch_exp_exactly():
    x = torch.linspace(-20.0, 20.0, _EXP2_FROM - 1)
    assert torch.equal(exp(x), torch.exp(x))
    assert torch.equal(exp_(x.clone()), torch.exp(x))


def test_exp_in_place_writes_into_its_argument():
    x = torch.linspace(-5.0, 5.0, 2 * _EXP2_FROM)
    y = x.clone()
    assert exp_(y) is y
    torch.testing.assert_close(y, torch.exp(x), rtol=2e-6, atol=0)


def test_logsumexp_matches_torch_and_keeps_masked_rows_at_minus_inf():
    g = torch.Generator().manual_seed(0)
    x = 30 * torch.randn(64, 128, generator=g, dtype=torch.float64)
    for dim in (0, 1):
        torch.testing.assert_close(logsumexp(x, dim), torch.logsumexp(x, dim), rtol=1e-13, atol=0)
    masked = x.clone()
    masked[3] = float("-inf")
    masked[5, :100] = float("-inf")
    out = logsumexp(masked, 1)
    assert out[3].item() == float("-inf")
    torch.testing.assert_close(out[5], torch.logsumexp(masked[5], 0), rtol=1e-13, atol=0)
