"""Lovász hinge and Lovász-softmax checks: lovasz_grad against a brute-force Lovász extension, hand values,
the original code re-implemented, the pinned semantics (per_image, ignored pixels, 'present') and errors.

The generic suite (value and gradient vs the batched plain formulas, gradcheck, dtypes, extremes) is
test_losses.py; it covers per_image=True. Chapter: book/segmentation/lovasz.ipynb.
"""

import itertools
import math

import pytest
import torch

from lossbook.losses import LovaszHingeLoss, LovaszSoftmaxLoss, lovasz_hinge_loss, lovasz_softmax_loss
from lossbook.losses.segmentation.lovasz import lovasz_grad

# --- brute force: the Jaccard set function and its Lovász extension, from the definitions


def jaccard_set_loss(mistakes: set, foreground: set) -> float:
    """Delta_J(M) = |M| / |G u M|, Delta_J(empty) = 0 (Berman et al., eq. 4)."""
    return len(mistakes) / len(foreground | mistakes) if mistakes else 0.0


def lovasz_extension_brute(m: list[float], foreground: set) -> float:
    """The Lovász extension at m >= 0 as an integral over thresholds: int_0^inf Delta_J({i : m_i > t}) dt.

    The integrand is constant between consecutive distinct values of m, so the integral is exact.
    """
    levels = sorted({0.0, *m})
    return sum(
        (hi - lo) * jaccard_set_loss({i for i, v in enumerate(m) if v > lo}, foreground) for lo, hi in zip(levels, levels[1:])
    )


def greedy_value(m: list[float], order, foreground: set) -> float:
    """sum_i m_{sigma_i} (Delta(sigma_1..i) - Delta(sigma_1..i-1)) for an arbitrary order sigma."""
    total, before = 0.0, 0.0
    for i in range(len(order)):
        now = jaccard_set_loss(set(order[: i + 1]), foreground)
        total += m[order[i]] * (now - before)
        before = now
    return total


def _sorted_value(m: torch.Tensor, gt: torch.Tensor) -> float:
    errors, perm = m.sort(descending=True)
    return float((errors * lovasz_grad(gt[perm])).sum())


def test_lovasz_grad_matches_the_set_function_differences_exhaustively():
    # every ground truth on P <= 8 pixels, in the identity order: g_i = Delta(M_i) - Delta(M_{i-1})
    for p in range(1, 9):
        for bits in itertools.product((0.0, 1.0), repeat=p):
            g = lovasz_grad(torch.tensor(bits, dtype=torch.float64))
            fg = {i for i, b in enumerate(bits) if b}
            expected = [jaccard_set_loss(set(range(i + 1)), fg) - jaccard_set_loss(set(range(i)), fg) for i in range(p)]
            assert g.tolist() == pytest.approx(expected, abs=1e-15)
            assert (g >= 0).all() and g.sum().item() == pytest.approx(1.0, abs=1e-15)  # Delta_J(all) = 1


def test_sorted_sum_is_the_brute_force_lovasz_extension_and_the_largest_greedy_value():
    g = torch.Generator().manual_seed(0)
    for p in range(1, 7):
        for _ in range(5):
            m = torch.rand(p, generator=g, dtype=torch.float64)
            gt = (torch.rand(p, generator=g) < 0.5).double()
            fg = {i for i in range(p) if gt[i]}
            value = _sorted_value(m, gt)
            assert value == pytest.approx(lovasz_extension_brute(m.tolist(), fg), abs=1e-12)
            # Edmonds: for a submodular Delta the sorted order maximises the greedy sum (support function)
            best = max(greedy_value(m.tolist(), order, fg) for order in itertools.permutations(range(p)))
            assert value == pytest.approx(best, abs=1e-12)


def test_lovasz_grad_is_the_gradient_of_the_brute_force_extension():
    g = torch.Generator().manual_seed(1)
    for p in (3, 5, 8):
        m = torch.rand(p, generator=g, dtype=torch.float64)
        gt = (torch.rand(p, generator=g) < 0.4).double()
        fg = {i for i in range(p) if gt[i]}
        _, perm = m.sort(descending=True)
        grad = torch.empty(p, dtype=torch.float64).scatter_(0, perm, lovasz_grad(gt[perm]))
        h = 1e-7
        for j in range(p):
            up, down = m.tolist(), m.tolist()
            up[j] += h
            down[j] -= h
            fd = (lovasz_extension_brute(up, fg) - lovasz_extension_brute(down, fg)) / (2 * h)
            assert grad[j].item() == pytest.approx(fd, abs=1e-6)


def test_lovasz_grad_with_a_mask_is_the_grad_of_the_valid_pixels():
    gt = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    valid = torch.tensor([True, True, True, True, False, False])
    g = lovasz_grad(gt, valid)
    torch.testing.assert_close(g[:4], lovasz_grad(gt[:4]), rtol=0, atol=1e-15)
    assert g[4:].tolist() == [0.0, 0.0]
    assert lovasz_grad(torch.zeros(3), torch.zeros(3, dtype=torch.bool)).tolist() == [0.0, 0.0, 0.0]
    # no foreground: g = (1, 0, ..., 0), the loss is the largest error
    assert lovasz_grad(torch.zeros(4, dtype=torch.float64)).tolist() == [1.0, 0.0, 0.0, 0.0]


# --- hand-computed values


def test_hinge_hand_computed_values():
    x = torch.tensor([[2.0, -1.0, 0.5, -3.0], [1.0, 1.0, -2.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([[1, 0, 0, 0], [1, 1, 1, 0]])
    # image 0: e = 1 - s x = (-1, 0, 1.5, -2); sorted: 1.5 (bg), 0 (bg), -1 (fg), -2 (bg); |G| = 1
    #   g = (1/2, 1/6, 1/3, 0) (lovasz_grad's two cases), loss = 1.5 / 2 = 0.75
    # image 1: e = (0, 0, 3, 1); sorted: 3 (fg), 1 (bg), 0, 0; |G| = 3: g_1 = 1/3, g_2 = I/(U U') = 2/(4 3)
    #   loss = 3/3 + 1/6 = 7/6
    out = lovasz_hinge_loss(x, y, reduction="none")
    assert out.tolist() == pytest.approx([0.75, 7 / 6], abs=1e-15)
    assert lovasz_hinge_loss(x, y).item() == pytest.approx((0.75 + 7 / 6) / 2, abs=1e-15)
    assert lovasz_hinge_loss(x, y, reduction="sum").item() == pytest.approx(0.75 + 7 / 6, abs=1e-15)
    # pooled: 3 (fg), 1.5 (bg), 1 (bg), then <= 0; |G| = 4: g = 1/4, 3/(5 4), 3/(6 5): 3/4 + 0.225 + 0.1
    assert lovasz_hinge_loss(x, y, per_image=False).item() == pytest.approx(1.075, abs=1e-15)
    # gradient of image 0: only e > 0 counts: pixel 2 (bg, s = -1): -s g = +1/2; the rest 0 (pixel 1 at the kink e = 0)
    x0 = x[:1].clone().requires_grad_(True)
    lovasz_hinge_loss(x0, y[:1], reduction="sum").backward()
    assert x0.grad.tolist() == [[0.0, 0.0, 0.5, 0.0]]


def test_softmax_hand_computed_value():
    # probabilities given (activation=None): 2 pixels, 2 classes; pixel 0 is class 0, pixel 1 class 1
    p = torch.tensor([[[0.8, 0.4], [0.2, 0.6]]], dtype=torch.float64)
    y = torch.tensor([[0, 1]])
    # class 0: errors |y - p| = (0.2, 0.4); sorted: 0.4 (bg), 0.2 (fg); |G| = 1: g = (1/2, 1/2): 0.3
    # class 1: errors (0.2, 0.4); sorted: 0.4 (fg), 0.2 (bg): g = (1, 0): 0.4
    assert lovasz_softmax_loss(p, y, activation=None).item() == pytest.approx(0.35, abs=1e-15)
    # one-hot probabilities: every error is 0 or 1 and the loss is 1 - mIoU of the prediction
    onehot = torch.tensor([[[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    y = torch.tensor([[0, 1, 1]])
    # class 0: IoU 1/2; class 1: IoU 1/2
    assert lovasz_softmax_loss(onehot, y, activation=None).item() == pytest.approx(0.5, abs=1e-15)


def test_loss_is_one_minus_iou_at_binary_errors():
    g = torch.Generator().manual_seed(2)
    for _ in range(5):
        y = torch.randint(0, 3, (2, 6, 6), generator=g)
        pred = torch.randint(0, 3, (2, 6, 6), generator=g)
        onehot = torch.nn.functional.one_hot(pred, 3).movedim(-1, 1).double()
        ious = []
        for c in range(3):
            inter = ((pred == c) & (y == c)).sum().item()
            union = ((pred == c) | (y == c)).sum().item()
            if (y == c).any():
                ious.append(inter / union)
        expected = 1 - sum(ious) / len(ious)
        assert lovasz_softmax_loss(onehot, y, activation=None).item() == pytest.approx(expected, abs=1e-12)
    # the hinge at logits +-1: errors 0 (right) or 2 (wrong), so the loss is 2 (1 - IoU)
    y = torch.tensor([[1, 1, 0, 0, 1, 0]])
    x = torch.tensor([[1.0, -1.0, 1.0, -1.0, 1.0, -1.0]], dtype=torch.float64)  # predicts {0, 2, 4}
    assert lovasz_hinge_loss(x, y).item() == pytest.approx(2 * (1 - 2 / 4), abs=1e-15)


# --- the original code (bermanmaxim/LovaszSoftmax, lovasz_losses.py), re-implemented line by line


def _orig_lovasz_grad(gt_sorted):
    p = len(gt_sorted)
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    if p > 1:
        jaccard = torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])
    return jaccard


def _orig_mean(values):
    """The original's mean(values, ignore_nan=False, empty=0): accumulates in place."""
    values = iter(values)
    try:
        n, acc = 1, next(values)
    except StopIteration:
        return 0
    for v in values:
        acc += v
        n += 1
    return acc if n == 1 else acc / n


def _orig_hinge_flat(logits, labels):
    if len(labels) == 0:
        return logits.sum() * 0.0
    signs = 2.0 * labels.to(logits.dtype) - 1.0
    errors = 1.0 - logits * signs
    errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
    return torch.dot(torch.relu(errors_sorted), _orig_lovasz_grad(labels[perm].to(logits.dtype)))


def _orig_flatten_binary(scores, labels, ignore):
    scores, labels = scores.reshape(-1), labels.reshape(-1)
    if ignore is None:
        return scores, labels
    valid = labels != ignore
    return scores[valid], labels[valid]  # Python filtering: a data-dependent shape


def orig_lovasz_hinge(logits, labels, per_image=True, ignore=None):
    if per_image:
        return _orig_mean(_orig_hinge_flat(*_orig_flatten_binary(x[None], y[None], ignore)) for x, y in zip(logits, labels))
    return _orig_hinge_flat(*_orig_flatten_binary(logits, labels, ignore))


def _orig_softmax_flat(probas, labels, classes="present"):
    if probas.numel() == 0:
        return probas * 0.0
    losses = []
    for c in range(probas.size(1)):
        fg = (labels == c).to(probas.dtype)
        if classes == "present" and fg.sum() == 0:
            continue
        errors = (fg - probas[:, c]).abs()
        errors_sorted, perm = torch.sort(errors, 0, descending=True)
        losses.append(torch.dot(errors_sorted, _orig_lovasz_grad(fg[perm])))
    return _orig_mean(losses)


def _orig_flatten_probas(probas, labels, ignore):
    c = probas.size(1)
    probas = probas.movedim(1, -1).reshape(-1, c)
    labels = labels.reshape(-1)
    if ignore is None:
        return probas, labels
    valid = labels != ignore
    return probas[valid], labels[valid]


def orig_lovasz_softmax(probas, labels, classes="present", per_image=False, ignore=None):
    if per_image:
        return _orig_mean(
            _orig_softmax_flat(*_orig_flatten_probas(p[None], y[None], ignore), classes) for p, y in zip(probas, labels)
        )
    return _orig_softmax_flat(*_orig_flatten_probas(probas, labels, ignore), classes)


def _masks(g, n=4, shape=(5, 6), ignored=True):
    x = 2 * torch.randn(n, *shape, generator=g, dtype=torch.float64)
    y = (torch.rand(n, *shape, generator=g) < 0.3).long()
    if ignored:
        y[0, :2] = 255
    return x, y


def _value_and_grad(fn, x, *args, **kwargs):
    x = x.detach().clone().requires_grad_(True)
    out = fn(x, *args, **kwargs)
    return out.detach(), torch.autograd.grad(out, x)[0]


@pytest.mark.parametrize("per_image", [True, False])
@pytest.mark.parametrize("ignore", [None, 255])
def test_hinge_equals_the_original_code(per_image, ignore):
    x, y = _masks(torch.Generator().manual_seed(3), ignored=ignore is not None)
    ours = _value_and_grad(lovasz_hinge_loss, x, y, per_image=per_image, ignore_index=ignore)
    theirs = _value_and_grad(orig_lovasz_hinge, x, y, per_image=per_image, ignore=ignore)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("per_image", [True, False])
@pytest.mark.parametrize("classes", ["present", "all"])
@pytest.mark.parametrize("ignore", [None, 255])
def test_softmax_equals_the_original_code(per_image, classes, ignore):
    # the original takes probabilities: lossbook's activation=None; with the softmax inside, the same through autograd's softmax
    g = torch.Generator().manual_seed(4)
    z = torch.randn(3, 4, 5, 5, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (3, 5, 5), generator=g)
    y[0] = y[0] % 2  # classes 2 and 3 absent from image 0
    if ignore is not None:
        y[1, :3] = ignore
    kwargs = dict(classes=classes, per_image=per_image)
    ours = _value_and_grad(lovasz_softmax_loss, z, y, ignore_index=ignore, **kwargs)
    theirs = _value_and_grad(lambda z, y: orig_lovasz_softmax(torch.softmax(z, 1), y, ignore=ignore, **kwargs), z, y)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    p = torch.softmax(z, 1)
    ours = _value_and_grad(lovasz_softmax_loss, p, y, activation=None, ignore_index=ignore, **kwargs)
    theirs = _value_and_grad(lambda p, y: orig_lovasz_softmax(p, y, ignore=ignore, **kwargs), p, y)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)


def test_an_all_ignored_image_is_left_out_of_the_mean_where_the_original_counts_it_as_zero():
    x, y = _masks(torch.Generator().manual_seed(5))
    y[2] = 255
    ours = lovasz_hinge_loss(x, y, ignore_index=255)
    theirs = orig_lovasz_hinge(x, y, ignore=255)
    assert lovasz_hinge_loss(x, y, ignore_index=255, reduction="none")[2].item() == 0.0
    assert ours.item() == pytest.approx(theirs.item() * 4 / 3, rel=1e-12)  # 4 images, 3 with a valid pixel
    p = torch.softmax(torch.randn(4, 3, 5, 6, dtype=torch.float64), 1)
    t = y % 3
    t[2] = 255
    ours = lovasz_softmax_loss(p, t, activation=None, per_image=True, ignore_index=255)
    # the original's softmax returns probas * 0, an empty (0, C) tensor, for such an image: its mean then
    # fails (or, were that image first, broadcasts to an empty result); without the image it agrees
    with pytest.raises(RuntimeError):
        orig_lovasz_softmax(p, t, per_image=True, ignore=255)
    keep = [0, 1, 3]
    theirs = orig_lovasz_softmax(p[keep], t[keep], per_image=True, ignore=255)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)
    assert orig_lovasz_softmax(p[[2, 0]], t[[2, 0]], per_image=True, ignore=255).numel() == 0


# --- pinned semantics


@pytest.mark.parametrize("fn, make", [
    (lovasz_hinge_loss, lambda g: _masks(g)),
    (lovasz_softmax_loss, lambda g: (torch.randn(4, 3, 5, 6, generator=g, dtype=torch.float64), torch.randint(0, 3, (4, 5, 6), generator=g))),
])
def test_per_image_false_is_one_number_for_every_reduction(fn, make):
    x, y = make(torch.Generator().manual_seed(6))
    y = torch.where(y == 255, 0, y)
    outs = [fn(x, y, per_image=False, reduction=r) for r in ("none", "mean", "sum")]
    assert all(o.shape == () for o in outs)
    assert outs[0].item() == outs[1].item() == outs[2].item()
    per_image = fn(x, y, per_image=True, reduction="none")
    assert per_image.shape == (4,)
    assert fn(x, y, per_image=True).item() == pytest.approx(per_image.mean().item(), rel=1e-14)


@pytest.mark.parametrize("per_image", [True, False])
def test_everything_ignored_gives_zero_loss_and_zero_gradients(per_image):
    x = torch.randn(3, 4, 4, dtype=torch.float64, requires_grad=True)
    y = torch.full((3, 4, 4), 255)
    for reduction in ("none", "mean", "sum"):
        out = lovasz_hinge_loss(x, y, per_image=per_image, ignore_index=255, reduction=reduction)
        (grad,) = torch.autograd.grad(out.sum(), x)
        assert torch.all(out == 0) and torch.all(grad == 0)
    z = torch.randn(3, 5, 4, 4, dtype=torch.float64, requires_grad=True)
    for classes in ("present", "all"):
        for reduction in ("none", "mean", "sum"):
            out = lovasz_softmax_loss(z, y, classes=classes, per_image=per_image, ignore_index=255, reduction=reduction)
            (grad,) = torch.autograd.grad(out.sum(), z)
            assert torch.all(out == 0) and torch.all(grad == 0)


def test_float_targets_equal_integer_targets():
    x, y = _masks(torch.Generator().manual_seed(7))
    for per_image in (True, False):
        a = _value_and_grad(lovasz_hinge_loss, x, y, per_image=per_image, ignore_index=255)
        b = _value_and_grad(lovasz_hinge_loss, x, y.double(), per_image=per_image, ignore_index=255)
        c = _value_and_grad(lovasz_hinge_loss, x.float(), y.float(), per_image=per_image, ignore_index=255)
        for u, v, w in zip(a, b, c):
            torch.testing.assert_close(u, v, rtol=0, atol=0)
            torch.testing.assert_close(w, u.float(), rtol=1e-5, atol=1e-6)
    z = torch.randn(2, 3, 4, 5, dtype=torch.float64)
    t = torch.randint(0, 3, (2, 4, 5))
    onehot = torch.nn.functional.one_hot(t, 3).movedim(-1, 1).double()
    for per_image in (True, False):
        a = _value_and_grad(lovasz_softmax_loss, z, t, per_image=per_image)
        b = _value_and_grad(lovasz_softmax_loss, z, onehot, per_image=per_image)
        for u, v in zip(a, b):
            torch.testing.assert_close(u, v, rtol=0, atol=0)


def test_present_and_all_classes():
    p = torch.tensor([[[0.7, 0.6], [0.2, 0.3], [0.1, 0.1]]], dtype=torch.float64)  # 3 classes, 2 pixels
    y = torch.tensor([[0, 1]])  # class 2 absent
    present = lovasz_softmax_loss(p, y, activation=None)
    every = lovasz_softmax_loss(p, y, activation=None, classes="all")
    # an absent class's Lovász extension is its largest error, here its largest probability 0.1
    assert every.item() == pytest.approx((2 * present.item() + 0.1) / 3, abs=1e-15)
    # 'present' is decided per image with per_image=True: image 1 has only class 2
    p2 = torch.cat([p, p.flip(1)])
    y2 = torch.tensor([[0, 1], [2, 2]])
    per = lovasz_softmax_loss(p2, y2, activation=None, per_image=True, reduction="none")
    assert per[0].item() == pytest.approx(present.item(), abs=1e-15)
    assert per[1].item() == pytest.approx(lovasz_softmax_loss(p2[1:], y2[1:], activation=None).item(), abs=1e-15)


def test_gradients_of_the_options_the_registry_does_not_run():
    g = torch.Generator().manual_seed(8)
    x, y = _masks(g, n=2, shape=(2, 3))
    assert torch.autograd.gradcheck(lambda x: lovasz_hinge_loss(x, y, per_image=False, ignore_index=255), (x.requires_grad_(),))
    z = torch.randn(2, 3, 2, 3, generator=g, dtype=torch.float64)
    t = torch.randint(0, 3, (2, 2, 3), generator=g)
    t[0, 0] = 255
    onehot = torch.nn.functional.one_hot(t % 255, 3).movedim(-1, 1).double()
    p = torch.softmax(z, 1).requires_grad_()
    for kwargs in (
        dict(classes="present", per_image=False, ignore_index=255),
        dict(classes="all", per_image=False, ignore_index=255, activation="sigmoid"),
    ):
        assert torch.autograd.gradcheck(lambda z, kwargs=kwargs: lovasz_softmax_loss(z, t, **kwargs), (z.clone().requires_grad_(),))
    assert torch.autograd.gradcheck(lambda p: lovasz_softmax_loss(p, onehot, activation=None, per_image=True), (p,))


def test_shapes_one_pixel_images_and_spatial_ranks():
    x = torch.tensor([1.5, -0.5, 0.2], dtype=torch.float64)  # (N,): one pixel per image
    y = torch.tensor([1, 0, 0])
    # one pixel: the error max(0, e) itself (g = 1): 0, 0.5, 1.2
    assert lovasz_hinge_loss(x, y, reduction="none").tolist() == pytest.approx([0.0, 0.5, 1.2], abs=1e-15)
    z = torch.randn(2, 3, 2, 3, 4, dtype=torch.float64)  # 3-D volumes
    t = torch.randint(0, 3, (2, 2, 3, 4))
    flat = lovasz_softmax_loss(z.flatten(2), t.flatten(1), per_image=True, reduction="none")
    torch.testing.assert_close(lovasz_softmax_loss(z, t, per_image=True, reduction="none"), flat, rtol=0, atol=0)
    assert lovasz_hinge_loss(torch.zeros(0, 4), torch.zeros(0, 4)).item() == 0.0


def test_closed_form_grad_is_accurate_in_float32_at_large_sizes():
    # the original's 1 - I/U followed by differences cancels; lovasz_grad's two cases do not
    g = torch.Generator().manual_seed(9)
    gt = (torch.rand(200_000, generator=g) < 0.3).double()
    exact = lovasz_grad(gt)
    ours = lovasz_grad(gt.float()).double()
    theirs = _orig_lovasz_grad(gt.float()).double()
    rel = lambda a: ((a - exact).abs() / exact.clamp(min=1e-300)).max().item()  # noqa: E731
    assert rel(ours) < 1e-6 < 1e-2 < rel(theirs)


def test_modules_equal_functions_and_show_their_options():
    x, y = _masks(torch.Generator().manual_seed(10))
    m = LovaszHingeLoss(per_image=False, ignore_index=255)
    assert repr(m) == "LovaszHingeLoss(per_image=False, ignore_index=255, reduction='mean')"
    assert m(x, y) == lovasz_hinge_loss(x, y, per_image=False, ignore_index=255)
    z, t = torch.randn(2, 3, 4, dtype=torch.float64), torch.randint(0, 3, (2, 4))
    m = LovaszSoftmaxLoss(classes="all", per_image=True)
    assert "classes='all', per_image=True" in repr(m)
    assert m(z, t) == lovasz_softmax_loss(z, t, classes="all", per_image=True)
    with pytest.raises(ValueError, match="LovaszSoftmaxLoss: classes must be 'present' or 'all'"):
        LovaszSoftmaxLoss(classes="some")
    with pytest.raises(TypeError, match="LovaszHingeLoss: per_image must be a bool"):
        LovaszHingeLoss(per_image="yes")


def test_hinge_is_convex_along_lines():
    # the Lovász extension of a submodular function is convex, and e = 1 - s x is affine in x
    g = torch.Generator().manual_seed(11)
    x, y = _masks(g, n=1, shape=(4, 4), ignored=False)
    d = torch.randn(x.shape, generator=g, dtype=torch.float64)
    ts = torch.linspace(-3, 3, 61, dtype=torch.float64)
    values = torch.stack([lovasz_hinge_loss(x + t * d, y) for t in ts])
    assert (values[:-2] + values[2:] - 2 * values[1:-1] >= -1e-12).all()
    assert math.isfinite(values.max().item())


def test_every_order_that_sorts_tied_errors_gives_a_subgradient():
    # Edmonds/Danskin: at a tie every sorting order's greedy vector g^sigma satisfies
    # f(m') >= f(m) + <g^sigma, m' - m> for all m' (f the brute-force extension); the orders differ
    m = [0.5, 0.5, 0.5, 0.2, 0.0]
    fg = {0, 3}
    gt = torch.tensor([1.0 if i in fg else 0.0 for i in range(5)], dtype=torch.float64)
    f_m = lovasz_extension_brute(m, fg)
    orders = [list(p) + [3, 4] for p in itertools.permutations(range(3))]  # the 3! orders that sort m
    grads = set()
    g = torch.Generator().manual_seed(12)
    others = [torch.rand(5, generator=g, dtype=torch.float64).tolist() for _ in range(200)]
    for order in orders:
        vec = torch.zeros(5, dtype=torch.float64).scatter_(0, torch.tensor(order), lovasz_grad(gt[order]))
        assert greedy_value(m, order, fg) == pytest.approx(f_m, abs=1e-15)  # each order attains the maximum
        for other in others:
            linear = f_m + sum(v * (b - a) for v, a, b in zip(vec.tolist(), m, other))
            assert lovasz_extension_brute(other, fg) >= linear - 1e-12
        grads.add(tuple(round(v, 12) for v in vec.tolist()))
    assert len(grads) > 1  # a genuine kink: several subgradients
    # the hinge's gradient at tied errors is one of them (errors e = 1 - s x at these logits are m)
    s = 2 * gt - 1
    x = ((1 - torch.tensor(m, dtype=torch.float64)) / s).requires_grad_()
    lovasz_hinge_loss(x[None], gt[None].long(), reduction="sum").backward()
    at_positive = [i for i in range(5) if m[i] > 0]  # the kink e = 0 of the last pixel gets 0
    assert any(all(abs(-s[i].item() * x.grad[i].item() - v[i]) < 1e-12 for i in at_positive) for v in grads)


def test_hinge_is_an_upper_bound_of_one_minus_iou_not_equal_at_unit_errors():
    g = torch.Generator().manual_seed(13)
    x = 3 * torch.randn(50, 6, 6, generator=g, dtype=torch.float64)
    y = (torch.rand(50, 6, 6, generator=g) < 0.3).long()
    y[0] = 0  # an image without foreground: 1 - IoU is 1 with any false positive, 0 without
    pred = x > 0
    inter = (pred & (y == 1)).flatten(1).sum(1)
    union = (pred | (y == 1)).flatten(1).sum(1)
    jaccard = torch.where(union > 0, 1 - inter / union.clamp(min=1), 0.0)
    assert (lovasz_hinge_loss(x, y, reduction="none") >= jaccard - 1e-12).all()
    # a background pixel at x = 0 is predicted right (x > 0 is false) but has the error 1 + x = 1
    loss = lovasz_hinge_loss(torch.tensor([[1.0, 0.0]], dtype=torch.float64), torch.tensor([[1, 0]]))
    assert loss.item() == pytest.approx(0.5, abs=1e-15)  # g = I/(U U') = 1/(2 1), while 1 - IoU = 0
