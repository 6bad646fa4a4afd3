"""KL divergence and distillation: hand-computed values, corner cases and errors. The generic suite is test_losses.py."""

import math
import warnings

import pytest
import torch
import torch.nn.functional as F

from lossbook.losses import DistillationLoss, KLDivLoss, distillation_loss, kl_div


def test_hand_computed_kl():
    # KL([0.9, 0.1] || [0.5, 0.5]) = 0.9 log(0.9 / 0.5) + 0.1 log(0.1 / 0.5)
    expected = 0.9 * math.log(1.8) + 0.1 * math.log(0.2)
    log_q, p = torch.tensor([[0.5, 0.5]], dtype=torch.float64).log(), torch.tensor([[0.9, 0.1]], dtype=torch.float64)
    assert kl_div(log_q, p, reduction="sum").item() == pytest.approx(expected)
    assert kl_div(log_q, p.log(), reduction="sum", log_target=True).item() == pytest.approx(expected)


def test_batchmean_mean_and_sum():
    # two rows of three classes: 'batchmean' divides the sum by 2 (rows), 'mean' by 6 (elements)
    g = torch.Generator().manual_seed(0)
    log_q = torch.log_softmax(torch.randn(2, 3, generator=g, dtype=torch.float64), dim=1)
    p = torch.softmax(torch.randn(2, 3, generator=g, dtype=torch.float64), dim=1)
    per_row = (p * (p.log() - log_q)).sum(dim=1)
    total = per_row.sum()
    assert kl_div(log_q, p, reduction="sum").item() == pytest.approx(total.item())
    assert kl_div(log_q, p, reduction="batchmean").item() == pytest.approx(total.item() / 2)
    assert kl_div(log_q, p).item() == pytest.approx(total.item() / 6)
    torch.testing.assert_close(kl_div(log_q, p, reduction="none").sum(dim=1), per_row)


def test_batchmean_of_1d_and_0d_inputs_follows_pytorch():
    # PyTorch divides by input.size(0): for a 1-d input that is its number of elements; a 0-d input is not divided
    x, t = torch.tensor([-0.5, -1.2, -2.0]), torch.tensor([0.5, 0.3, 0.2])
    assert kl_div(x, t, reduction="batchmean").item() == pytest.approx(kl_div(x, t, reduction="sum").item() / 3)
    x0, t0 = torch.tensor(-0.5), torch.tensor(0.3)
    assert kl_div(x0, t0, reduction="batchmean").item() == pytest.approx(0.3 * math.log(0.3) + 0.3 * 0.5)
    for args in ((x, t), (x0, t0)):
        torch.testing.assert_close(kl_div(*args, reduction="batchmean"), F.kl_div(*args, reduction="batchmean"))


def test_zero_target_terms_are_zero_and_their_target_gradient_is_nan_as_in_pytorch():
    # 0 log 0 = 0 (xlogy): KL([1, 0] || q) = -log q_0
    log_q = torch.tensor([0.25, 0.75]).log().requires_grad_()
    t = torch.tensor([1.0, 0.0], requires_grad=True)
    loss = kl_div(log_q, t, reduction="sum")
    assert loss.item() == pytest.approx(-math.log(0.25))
    g_x, g_t = torch.autograd.grad(loss, (log_q, t))
    torch.testing.assert_close(g_x, torch.tensor([-1.0, 0.0]))  # d/dx = -t
    assert g_t[0].item() == pytest.approx(1 + math.log(1.0) - math.log(0.25)) and torch.isnan(g_t[1])
    e_x, e_t = torch.autograd.grad(F.kl_div(log_q, t, reduction="sum"), (log_q, t))
    torch.testing.assert_close(g_x, e_x)
    torch.testing.assert_close(g_t, e_t, equal_nan=True)


def test_hand_written_gradients():
    # d/dx = -t, d/dt = log t + 1 - x; with log_target: d/dx = -e^t, d/dt = e^t (t - x + 1)
    x = torch.tensor([-0.7, -1.1], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([0.4, 0.6], dtype=torch.float64, requires_grad=True)
    gx, gt = torch.autograd.grad(kl_div(x, t, reduction="sum"), (x, t))
    torch.testing.assert_close(gx, -t.detach())
    torch.testing.assert_close(gt, t.detach().log() + 1 - x.detach())
    gx, gt = torch.autograd.grad(kl_div(x, t, reduction="sum", log_target=True), (x, t))
    torch.testing.assert_close(gx, -t.detach().exp())
    torch.testing.assert_close(gt, t.detach().exp() * (t.detach() - x.detach() + 1))


def test_cross_entropy_is_entropy_plus_kl():
    g = torch.Generator().manual_seed(1)
    p = torch.softmax(torch.randn(5, 4, generator=g, dtype=torch.float64), dim=1)
    log_q = torch.log_softmax(torch.randn(5, 4, generator=g, dtype=torch.float64), dim=1)
    cross_entropy = -(p * log_q).sum(dim=1)
    entropy = -(p * p.log()).sum(dim=1)
    torch.testing.assert_close(cross_entropy, entropy + kl_div(log_q, p, reduction="none").sum(dim=1))


def test_module_repr_and_options():
    assert repr(KLDivLoss(reduction="batchmean", log_target=True)) == "KLDivLoss(reduction='batchmean', log_target=True)"
    assert repr(DistillationLoss(temperature=4.0)) == "DistillationLoss(temperature=4.0, reduction='batchmean')"
    with pytest.raises(ValueError, match="KLDivLoss: reduction must be one of 'none', 'batchmean', 'mean', 'sum', got 'avg'"):
        KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"DistillationLoss: temperature must be in \(0.0, inf\), got 0"):
        DistillationLoss(temperature=0)


def test_kl_errors():
    with pytest.raises(ValueError, match=r"kl_div: target shape \(2, 4\) does not match input shape \(2, 3\)"):
        kl_div(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(TypeError, match="kl_div: input must be a floating-point tensor, got dtype torch.int64"):
        kl_div(torch.zeros(3, dtype=torch.long), torch.zeros(3))


# distillation


def test_distillation_hand_computed():
    # T = 1, one example: KL(softmax(u) || softmax(s)) written out
    s, u = torch.tensor([[1.0, 0.0, -1.0]], dtype=torch.float64), torch.tensor([[2.0, 1.0, -2.0]], dtype=torch.float64)
    p, q = torch.softmax(s, 1), torch.softmax(u, 1)
    expected = (q * (q / p).log()).sum().item()
    assert distillation_loss(s, u, temperature=1.0).item() == pytest.approx(expected)
    # T = 3: the KL of the softened distributions, times 9
    p3, q3 = torch.softmax(s / 3, 1), torch.softmax(u / 3, 1)
    assert distillation_loss(s, u, temperature=3.0).item() == pytest.approx(9 * (q3 * (q3 / p3).log()).sum().item())


def test_distillation_gradients_match_the_derivation():
    # d/ds_j = T (p_j - q_j), d/du_j = T q_j (log q_j - log p_j - KL), per example ('sum')
    g = torch.Generator().manual_seed(2)
    s = torch.randn(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    u = torch.randn(3, 4, generator=g, dtype=torch.float64, requires_grad=True)
    T = 2.5
    gs, gu = torch.autograd.grad(distillation_loss(s, u, temperature=T, reduction="sum"), (s, u))
    log_p, log_q = torch.log_softmax(s.detach() / T, 1), torch.log_softmax(u.detach() / T, 1)
    q = log_q.exp()
    kl = (q * (log_q - log_p)).sum(dim=1, keepdim=True)
    torch.testing.assert_close(gs, T * (log_p.exp() - q))
    torch.testing.assert_close(gu, T * q * (log_q - log_p - kl))
    assert torch.autograd.gradcheck(lambda a, b: distillation_loss(a, b, temperature=T, reduction="none"), (s, u))


def test_distillation_teacher_gets_no_gradient_when_detached():
    s = torch.randn(2, 3, requires_grad=True)
    u = torch.randn(2, 3)
    distillation_loss(s, u).backward()
    assert s.grad is not None and u.grad is None


def test_distillation_class_dimension_is_1_for_images_and_0_for_vectors():
    g = torch.Generator().manual_seed(3)
    s, u = torch.randn(2, 4, 5, generator=g, dtype=torch.float64), torch.randn(2, 4, 5, generator=g, dtype=torch.float64)
    for reduction in ("none", "batchmean", "mean", "sum"):
        with warnings.catch_warnings():  # PyTorch warns that 'mean' is not the KL divergence
            warnings.simplefilter("ignore", UserWarning)
            ref = 4.0 * F.kl_div(F.log_softmax(s / 2, 1), F.log_softmax(u / 2, 1), reduction=reduction, log_target=True)
        torch.testing.assert_close(distillation_loss(s, u, reduction=reduction), ref)
    v, w = s[0, :, 0], u[0, :, 0]
    torch.testing.assert_close(
        distillation_loss(v, w, reduction="sum"),
        4.0 * F.kl_div(F.log_softmax(v / 2, 0), F.log_softmax(w / 2, 0), reduction="sum", log_target=True),
    )


def test_distillation_of_identical_logits_is_zero_with_zero_gradient():
    s = torch.randn(4, 3, requires_grad=True)
    loss = distillation_loss(s, s.detach(), temperature=3.0)
    loss.backward()
    assert abs(loss.item()) < 1e-6 and s.grad.abs().max().item() < 1e-6


def test_distillation_errors():
    with pytest.raises(TypeError, match="distillation_loss: temperature must be a real number, got str"):
        distillation_loss(torch.zeros(2, 3), torch.zeros(2, 3), temperature="2")
    with pytest.raises(TypeError, match="distillation_loss: teacher_logits must be a floating-point tensor"):
        distillation_loss(torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="distillation_loss: reduction must be one of 'none', 'batchmean', 'mean', 'sum'"):
        distillation_loss(torch.zeros(2, 3), torch.zeros(2, 3), reduction="avg")
