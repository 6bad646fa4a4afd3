"""The synthetic data sets: shapes, dtypes, seeding and their documented properties."""

import math

import pytest
import torch

from lossbook import data


@pytest.mark.parametrize(
    "make, x_shape, y_shape, y_dtype",
    [
        (lambda s: data.linear(50, n_features=3, seed=s), (50, 3), (50, 1), torch.float32),
        (lambda s: data.nonlinear(50, seed=s), (50, 1), (50, 1), torch.float32),
        (lambda s: data.blobs(60, n_classes=3, seed=s), (60, 2), (60,), torch.int64),
        (lambda s: data.moons(60, seed=s), (60, 2), (60,), torch.int64),
        (lambda s: data.spirals(60, seed=s), (60, 2), (60,), torch.int64),
        (lambda s: data.imbalanced(500, seed=s), (500, 2), (500,), torch.int64),
    ],
)
def test_shapes_dtypes_and_seeding(make, x_shape, y_shape, y_dtype):
    (x, y), (x2, y2), (x3, _) = make(0), make(0), make(1)
    assert x.shape == x_shape and y.shape == y_shape and x.dtype == torch.float32 and y.dtype == y_dtype
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, x3)


def test_linear_recovers_its_parameters_by_least_squares():
    x, y = data.linear(5000, n_features=2, weight=[1.5, -0.5], bias=0.25, noise=0.1, seed=0)
    x1 = torch.cat([x, torch.ones(len(x), 1)], 1).double()
    theta = torch.linalg.lstsq(x1, y.double()).solution.squeeze()
    torch.testing.assert_close(theta, torch.tensor([1.5, -0.5, 0.25], dtype=torch.float64), atol=0.01, rtol=0)


def test_outliers_are_the_stated_fraction_and_one_sided():
    clean = data.linear(200, outliers=0.0, seed=0)[1]
    dirty = data.linear(200, outliers=0.1, outlier_scale=10.0, seed=0)[1]
    shift = (dirty - clean).squeeze()
    moved = shift.abs() > 0
    assert int(moved.sum()) == 20
    assert (shift[moved] >= 10).all() and (shift[moved] <= 20).all()


def test_heteroscedastic_noise_grows_with_x():
    x, y = data.linear(4000, weight=0.0, bias=0.0, noise=1.0, heteroscedastic=True, seed=0)
    near, far = y[x.abs() < 0.5].std(), y[x.abs() > 1.5].std()
    assert far > 3 * near


def test_class_proportions():
    _, y = data.imbalanced(1000, minority=0.05, seed=0)
    assert int((y == 1).sum()) == 50
    _, y = data.blobs(90, n_classes=3, seed=0)
    assert torch.bincount(y).tolist() == [30, 30, 30]


def test_split():
    x, y = data.linear(100, seed=0)
    (xt, yt), (xv, yv) = data.split(x, y, val_fraction=0.2, seed=0)
    assert len(xt) == 80 and len(xv) == 20
    assert sorted(torch.cat([xt, xv]).squeeze().tolist()) == sorted(x.squeeze().tolist())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: data.linear(0), ValueError, "linear: n must be an int >= 1, got 0"),
        (lambda: data.linear(10, outliers=1.5), ValueError, r"linear: outliers must be in \[0, 1\), got 1.5"),
        (lambda: data.linear(10, n_features=2, weight=[1.0, 2.0, 3.0]), ValueError, "linear: weight must be one number or 2 numbers"),
        (lambda: data.blobs(10, n_classes=1), ValueError, "blobs: n_classes must be >= 2, got 1"),
        (lambda: data.blobs(10, proportions=(1, 2)), ValueError, "blobs: proportions must be 3 non-negative numbers"),
        (lambda: data.imbalanced(10, minority=0.0), ValueError, r"imbalanced: minority must be in \(0, 1\)"),
        (lambda: data.split(torch.zeros(3), torch.zeros(4)), ValueError, "split: x and y must have the same first dimension"),
        (lambda: data.moons(10, seed=1.5), TypeError, "moons: seed must be an int, got float"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_counts_are_poisson_with_a_log_linear_rate():
    x, y = data.counts(20000, n_features=2, weight=[0.5, -1.0], bias=1.0, seed=0)
    x2, y2 = data.counts(20000, n_features=2, weight=[0.5, -1.0], bias=1.0, seed=0)
    assert x.shape == (20000, 2) and y.shape == (20000, 1) and x.dtype == y.dtype == torch.float32
    assert torch.equal(x, x2) and torch.equal(y, y2) and not torch.equal(y, data.counts(20000, n_features=2, seed=1)[1])
    assert (y >= 0).all() and torch.equal(y, y.round())
    # Poisson: mean = variance = rate; check both on the examples whose rate is near e^1
    rate = torch.exp(x @ torch.tensor([[0.5], [-1.0]]) + 1.0)
    near = (rate - math.e).abs() < 0.1
    assert abs(y[near].mean().item() - math.e) < 0.1 and abs(y[near].var().item() - math.e) < 0.3
    # the log-rate is linear: a Poisson GLM fitted by Newton's method recovers (0.5, -1.0, 1.0)
    x1 = torch.cat([x, torch.ones(len(x), 1)], 1).double()
    theta = torch.zeros(3, 1, dtype=torch.float64)
    for _ in range(25):
        mu = torch.exp(x1 @ theta)
        theta += torch.linalg.solve(x1.T @ (mu * x1), x1.T @ (y.double() - mu))
    torch.testing.assert_close(theta.squeeze(), torch.tensor([0.5, -1.0, 1.0], dtype=torch.float64), atol=0.03, rtol=0)


def test_multilabel_shapes_rate_seeding_and_missing_labels():
    x, y = data.multilabel(4000, n_features=6, n_labels=8, positive_rate=0.05, seed=0)
    assert x.shape == (4000, 6) and y.shape == (4000, 8) and x.dtype == y.dtype == torch.float32
    assert set(y.unique().tolist()) == {0.0, 1.0}
    # each label applies to positive_rate of the examples, up to sampling error (sd ~ 0.0035 per label)
    torch.testing.assert_close(y.mean(dim=0), torch.full((8,), 0.05), atol=0.015, rtol=0)
    x2, y2 = data.multilabel(4000, n_features=6, n_labels=8, positive_rate=0.05, seed=0)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    assert not torch.equal(x, data.multilabel(4000, n_features=6, n_labels=8, seed=1)[0])
    # missing erases positives only, about the stated fraction, and leaves the inputs alone
    xm, ym = data.multilabel(4000, n_features=6, n_labels=8, positive_rate=0.05, missing=0.5, seed=0)
    assert torch.equal(xm, x) and (ym <= y).all()
    assert 0.45 < ym.sum().item() / y.sum().item() < 0.55


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_labels": 0}, "multilabel: n_labels must be an int >= 1, got 0"),
        ({"n_features": 2.5}, "multilabel: n_features must be an int >= 1, got 2.5"),
        ({"positive_rate": 1.0}, r"multilabel: positive_rate must be in \(0, 1\), got 1.0"),
        ({"missing": 1.0}, r"multilabel: missing must be in \[0, 1\), got 1.0"),
        ({"noise": -1.0}, "multilabel: noise must be >= 0, got -1.0"),
    ],
)
def test_multilabel_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.multilabel(10, **kwargs)


def test_segmentation_shapes_seeding_foreground_and_shapes():
    x, m = data.segmentation(400, size=32, foreground=0.02, noise=0.5, seed=0)
    assert x.shape == (400, 1, 32, 32) and m.shape == (400, 32, 32) and x.dtype == torch.float32 and m.dtype == torch.int64
    x2, m2 = data.segmentation(400, size=32, foreground=0.02, noise=0.5, seed=0)
    assert torch.equal(x, x2) and torch.equal(m, m2) and not torch.equal(m, data.segmentation(400, seed=1)[1])
    assert set(m.unique().tolist()) == {0, 1}
    # every image holds one object of about 2% of the pixels (area factor in [0.6, 1.4])
    share = (m > 0).flatten(1).float().mean(1)
    assert 0.017 < share.mean().item() < 0.023 and share.min().item() > 0.008 and share.max().item() < 0.035
    # the noise is the stated standard deviation around 0 (background) and 1 (the object)
    assert abs(x[:, 0][m == 0].std().item() - 0.5) < 0.01 and abs(x[:, 0][m == 1].mean().item() - 1.0) < 0.02
    # noiseless: the image is the mask
    clean, mc = data.segmentation(20, noise=0.0, seed=3)
    assert torch.equal(clean[:, 0], mc.float())


def test_segmentation_classes_and_empty_images():
    x, m = data.segmentation(300, size=16, n_classes=4, foreground=0.02, noise=0.0, empty=0.0, seed=0)
    assert set(m.unique().tolist()) == {0, 1, 2, 3}
    for k in (1, 2, 3):  # each class about 2% of the pixels, at its own intensity 1 + (k - 1)/2
        assert 0.013 < (m == k).float().mean().item() < 0.025
        assert torch.all(x[:, 0][m == k] == 1 + (k - 1) / 2)
    _, me = data.segmentation(1000, empty=0.3, seed=0)
    blank = ~(me > 0).flatten(1).any(1)
    assert 0.25 < blank.float().mean().item() < 0.35


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 4}, "segmentation: size must be an int >= 8, got 4"),
        ({"n_classes": 1}, "segmentation: n_classes must be an int >= 2, got 1"),
        ({"foreground": 0.0}, r"segmentation: foreground must be in \(0, 0.25\], got 0.0"),
        ({"noise": -0.1}, "segmentation: noise must be >= 0, got -0.1"),
        ({"empty": 1.0}, r"segmentation: empty must be in \[0, 1\), got 1.0"),
    ],
)
def test_segmentation_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.segmentation(10, **kwargs)


def test_views_share_content_and_are_seeded():
    y, c, v1, v2 = data.views(200, n_classes=3, content_dim=2, style_dim=3, n_features=8, seed=1)
    assert y.shape == (200,) and c.shape == (200, 2) and v1.shape == v2.shape == (200, 8)
    assert y.dtype == torch.int64 and v1.dtype == torch.float32 and torch.bincount(y).tolist() == [67, 67, 66]
    again = data.views(200, n_classes=3, content_dim=2, style_dim=3, n_features=8, seed=1)
    assert all(torch.equal(a, b) for a, b in zip((y, c, v1, v2), again))
    assert not torch.equal(v1, v2)  # each view draws its own style and noise
    # without style and noise the two views are the same function of the content
    _, _, w1, w2 = data.views(50, style=0.0, noise=0.0, seed=2)
    assert torch.equal(w1, w2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_classes": 1}, "views: n_classes must be an int >= 2, got 1"),
        ({"content_dim": 0}, "views: content_dim must be an int >= 1, got 0"),
        ({"style": -1.0}, "views: style must be >= 0, got -1.0"),
    ],
)
def test_views_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.views(10, **kwargs)


def test_frame_sequences_spell_their_labels():
    from lossbook.data import frame_sequences

    x, labels, input_lengths, label_lengths = frame_sequences(64, seed=3)
    again = frame_sequences(64, seed=3)
    assert all(torch.equal(a, b) for a, b in zip((x, labels, input_lengths, label_lengths), again))
    assert x.shape == (64, int(input_lengths.max()), 8) and x.dtype == torch.float32 and labels.shape == (64, 4)
    assert ((label_lengths >= 2) & (label_lengths <= 4)).all() and labels.max() <= 4
    assert (labels[torch.arange(4) >= label_lengths[:, None]] == 0).all() and (labels[torch.arange(4) < label_lengths[:, None]] >= 1).all()
    # frames: a silence at each end, 2 or 3 per label, a silence between equal labels: enough for CTC
    repeats = (labels[:, 1:] == labels[:, :-1]) & (labels[:, 1:] > 0)
    assert (input_lengths >= 2 + 2 * label_lengths + repeats.sum(1)).all() and (input_lengths <= 2 + 4 * label_lengths - 1).all()
    assert (x[torch.arange(x.shape[1]) >= input_lengths[:, None]] == 0).all()
    with pytest.raises(ValueError, match="frame_sequences: length must be a pair of ints"):
        frame_sequences(4, length=(3, 2))


def test_ranking_contract():
    # book/structured/pairwise-ranking.ipynb and listwise-ranking.ipynb
    x, rel = data.ranking(50, list_size=12, n_features=6, seed=4)
    again = data.ranking(50, list_size=12, n_features=6, seed=4)
    assert torch.equal(x, again[0]) and torch.equal(rel, again[1])
    assert x.shape == (50, 12, 6) and x.dtype == torch.float32 and rel.shape == (50, 12) and rel.dtype == torch.float32
    assert set(rel.unique().tolist()) == {0.0, 1.0, 2.0, 3.0, 4.0}
    # grade g or more for about 2^-g of the items (quantile thresholds)
    for grade in range(1, 5):
        assert abs((rel >= grade).float().mean().item() - 2.0**-grade) < 0.02
    x, rel, mask = data.ranking(40, list_size=10, min_size=3, seed=1)
    lengths = mask.sum(1)
    assert mask.dtype == torch.bool and lengths.min() >= 3 and lengths.max() <= 10
    assert torch.equal(mask, torch.arange(10) < lengths[:, None])  # real items first
    assert (rel[~mask] == 0).all() and (x[~mask] == 0).all()
    assert abs((rel[mask] >= 1).float().mean().item() - 0.5) < 0.03


def test_ranking_is_not_linear():
    # with curvature the best linear scorer (least squares on the grades) leaves structure
    # that a quadratic feature explains; with curvature 0 it does not
    def r2_gain(curvature):
        x, rel = data.ranking(400, curvature=curvature, noise=0.0, query_spread=0.0, seed=2)
        x, rel = x.reshape(-1, x.shape[-1]).double(), rel.reshape(-1, 1).double()
        lin = torch.cat([x, torch.ones_like(rel)], 1)
        quad = torch.cat([lin, x.square(), x.clamp(min=0)], 1)
        res = [(rel - a @ torch.linalg.lstsq(a, rel).solution).square().mean().item() for a in (lin, quad)]
        return res[0] / res[1]
    assert r2_gain(1.5) > 1.3 > r2_gain(0.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"list_size": 1}, "ranking: list_size must be an int >= 2, got 1"),
        ({"levels": 1}, "ranking: levels must be an int >= 2, got 1"),
        ({"noise": -1.0}, "ranking: noise must be >= 0, got -1.0"),
        ({"min_size": 0}, r"ranking: min_size must be None or an int in \[1, list_size\]"),
    ],
)
def test_ranking_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.ranking(10, **kwargs)
