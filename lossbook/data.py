"""Seeded synthetic data sets: small, generated on the CPU, never downloaded.

Every function takes a ``seed`` and returns CPU tensors ``(x, y)``: the same seed gives
the same data on every machine. ``x`` is float32 of shape ``(n, n_features)``; regression
targets are float32 of shape ``(n, 1)``; class labels are int64 of shape ``(n,)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def _generator(fn: str, seed: int) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"{fn}: seed must be an int, got {type(seed).__name__}")
    return torch.Generator().manual_seed(seed)


def _check_n(fn: str, n: int, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"{fn}: n must be an int >= {minimum}, got {n!r}")


def _check_fraction(fn: str, name: str, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{fn}: {name} must be in [0, 1), got {value!r}")


def _add_noise(
    fn: str,
    signal: torch.Tensor,
    x: torch.Tensor,
    g: torch.Tensor,
    *,
    noise: float,
    heteroscedastic: bool,
    outliers: float,
    outlier_scale: float,
) -> torch.Tensor:
    _check_fraction(fn, "outliers", outliers)
    if noise < 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise!r}")
    n = signal.shape[0]
    # heteroscedastic: the noise standard deviation grows with |x| (averaged over features)
    std = noise * (0.25 + x.abs().mean(dim=1, keepdim=True)) if heteroscedastic else noise
    y = signal + std * torch.randn(n, 1, generator=g)
    n_out = round(outliers * n)
    if n_out:
        idx = torch.randperm(n, generator=g)[:n_out]
        # one-sided, so that the outliers pull a fit in one direction, as in the MSE chapter
        y[idx] += outlier_scale * (1 + torch.rand(n_out, 1, generator=g))
    return y


def _linear_signal(
    fn: str, n: int, n_features: int, weight, bias: float, x_range: tuple[float, float], g: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs uniform on ``x_range`` and the linear function ``x w + b`` of them, shape ``(n, 1)``."""
    w = torch.as_tensor(weight, dtype=torch.float32).reshape(-1)
    if w.numel() == 1:
        w = w.expand(n_features)
    if w.numel() != n_features:
        raise ValueError(f"{fn}: weight must be one number or {n_features} numbers (n_features), got {w.numel()}")
    lo, hi = x_range
    x = lo + (hi - lo) * torch.rand(n, n_features, generator=g)
    return x, x @ w.reshape(-1, 1) + bias


def linear(
    n: int = 200,
    *,
    n_features: int = 1,
    weight: float | Sequence[float] = 2.0,
    bias: float = 1.0,
    noise: float = 0.5,
    heteroscedastic: bool = False,
    outliers: float = 0.0,
    outlier_scale: float = 10.0,
    x_range: tuple[float, float] = (-2.0, 2.0),
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Linear regression data :math:`y = x w + b + \\varepsilon`.

    Args:
        n: number of examples.
        n_features: number of input features.
        weight: the true weight: one number for every feature, or one per feature.
        bias: the true bias.
        noise: standard deviation of the Gaussian noise.
        heteroscedastic: if true, the noise standard deviation is
            ``noise * (0.25 + mean(|x|))``, larger far from the origin.
        outliers: fraction of targets shifted upward by ``outlier_scale * (1 + U(0, 1))``.
        outlier_scale: size of the outlier shift.
        x_range: inputs are uniform on this interval.
        seed: the seed.

    Returns:
        ``(x, y)`` of shapes ``(n, n_features)`` and ``(n, 1)``.
    """
    _check_n("linear", n)
    g = _generator("linear", seed)
    x, signal = _linear_signal("linear", n, n_features, weight, bias, x_range, g)
    y = _add_noise("linear", signal, x, g, noise=noise, heteroscedastic=heteroscedastic, outliers=outliers, outlier_scale=outlier_scale)
    return x, y


def nonlinear(
    n: int = 200,
    *,
    noise: float = 0.3,
    heteroscedastic: bool = False,
    outliers: float = 0.0,
    outlier_scale: float = 5.0,
    x_range: tuple[float, float] = (-3.0, 3.0),
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One-dimensional non-linear regression data :math:`y = \\sin(x) + x/2 + \\varepsilon`.

    The noise options are those of :func:`linear`. Returns ``(x, y)`` of shapes ``(n, 1)``.
    """
    _check_n("nonlinear", n)
    g = _generator("nonlinear", seed)
    lo, hi = x_range
    x = lo + (hi - lo) * torch.rand(n, 1, generator=g)
    signal = torch.sin(x) + x / 2
    y = _add_noise("nonlinear", signal, x, g, noise=noise, heteroscedastic=heteroscedastic, outliers=outliers, outlier_scale=outlier_scale)
    return x, y


def counts(
    n: int = 200,
    *,
    n_features: int = 1,
    weight: float | Sequence[float] = 1.0,
    bias: float = 0.5,
    x_range: tuple[float, float] = (-1.5, 1.5),
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Count data for Poisson regression: :math:`y \sim \mathrm{Poisson}(\lambda)` with :math:`\log\lambda = x w + b`.

    The log of the rate is linear in ``x`` (a generalized linear model with the log link), so
    the counts' mean and their variance both equal :math:`\lambda = e^{x w + b}`.

    Args:
        n: number of examples.
        n_features: number of input features.
        weight: the true weight of the log-rate: one number for every feature, or one per feature.
        bias: the true bias of the log-rate.
        x_range: inputs are uniform on this interval.
        seed: the seed.

    Returns:
        ``(x, y)``: float32 ``(n, n_features)`` inputs and float32 ``(n, 1)`` non-negative
        integer counts.
    """
    _check_n("counts", n)
    g = _generator("counts", seed)
    x, log_rate = _linear_signal("counts", n, n_features, weight, bias, x_range, g)
    rate = torch.exp(log_rate)
    return x, torch.poisson(rate, generator=g)


def blobs(
    n: int = 300,
    *,
    n_classes: int = 3,
    n_features: int = 2,
    std: float = 1.0,
    spread: float = 3.0,
    proportions: Sequence[float] | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian clusters, one per class, with centres evenly spaced on a circle of radius ``spread``.

    Args:
        n: number of examples.
        n_classes: number of classes.
        n_features: input dimension (the centres lie in the first two).
        std: standard deviation of each cluster.
        spread: distance of the centres from the origin.
        proportions: class frequencies (normalized), e.g. ``(0.99, 0.01)`` for a 1:99
            imbalance; equal by default.
        seed: the seed.

    Returns:
        ``(x, y)``: float32 ``(n, n_features)`` and int64 labels ``(n,)``.
    """
    _check_n("blobs", n)
    if n_classes < 2:
        raise ValueError(f"blobs: n_classes must be >= 2, got {n_classes!r}")
    if n_features < 2:
        raise ValueError(f"blobs: n_features must be >= 2, got {n_features!r}")
    g = _generator("blobs", seed)
    y = _labels("blobs", n, n_classes, proportions, g)
    angles = 2 * math.pi * torch.arange(n_classes) / n_classes
    centres = torch.zeros(n_classes, n_features)
    centres[:, 0], centres[:, 1] = spread * torch.cos(angles), spread * torch.sin(angles)
    x = centres[y] + std * torch.randn(n, n_features, generator=g)
    return x, y


def _labels(fn: str, n: int, n_classes: int, proportions, g: torch.Generator) -> torch.Tensor:
    if proportions is None:
        counts = [n // n_classes + (k < n % n_classes) for k in range(n_classes)]
    else:
        p = torch.as_tensor(proportions, dtype=torch.float64)
        if p.numel() != n_classes or (p < 0).any() or p.sum() <= 0:
            raise ValueError(f"{fn}: proportions must be {n_classes} non-negative numbers (n_classes), got {list(proportions)}")
        counts = torch.floor(p / p.sum() * n).long()
        counts[torch.argmax(p)] += n - counts.sum()
        counts = counts.tolist()
    y = torch.cat([torch.full((c,), k, dtype=torch.long) for k, c in enumerate(counts)])
    return y[torch.randperm(n, generator=g)]


def imbalanced(
    n: int = 1000, *, minority: float = 0.01, std: float = 1.0, spread: float = 1.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Binary blobs in which class 1 is a ``minority`` fraction of the examples.

    Returns ``(x, y)``: float32 ``(n, 2)`` and int64 labels ``(n,)`` in {0, 1}.
    """
    if not 0.0 < minority < 1.0:
        raise ValueError(f"imbalanced: minority must be in (0, 1), got {minority!r}")
    return blobs(n, n_classes=2, std=std, spread=spread, proportions=(1 - minority, minority), seed=seed)


def moons(n: int = 300, *, noise: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles. Returns float32 ``(n, 2)`` and int64 labels ``(n,)``."""
    _check_n("moons", n, 2)
    g = _generator("moons", seed)
    y = _labels("moons", n, 2, None, g)
    t = math.pi * torch.rand(n, generator=g)
    outer = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    inner = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    x = torch.where((y == 0).unsqueeze(1), outer, inner)
    return x + noise * torch.randn(n, 2, generator=g), y


def spirals(n: int = 300, *, n_classes: int = 3, noise: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Interleaved spiral arms, one per class. Returns float32 ``(n, 2)`` and int64 labels ``(n,)``."""
    _check_n("spirals", n, n_classes)
    g = _generator("spirals", seed)
    y = _labels("spirals", n, n_classes, None, g)
    r = torch.rand(n, generator=g)
    theta = 4 * r + 2 * math.pi * y / n_classes + noise * torch.randn(n, generator=g)
    x = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1)
    return x, y


def multilabel(
    n: int = 1000,
    *,
    n_features: int = 10,
    n_labels: int = 20,
    positive_rate: float = 0.05,
    noise: float = 0.5,
    missing: float = 0.0,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Multi-label data with many negatives: each example carries a few of ``n_labels`` labels.

    Inputs are standard Gaussian; label :math:`l` applies when
    :math:`x^\top w_l + \text{noise}\cdot\varepsilon > c`, with a random unit vector
    :math:`w_l`, Gaussian :math:`\varepsilon`, and the threshold :math:`c` set so that each
    label applies to ``positive_rate`` of the examples in expectation. ``missing`` erases that
    fraction of the positive labels (sets them to 0) at random, as in data sets whose
    annotations are incomplete; the same ``seed`` with a different ``missing`` gives the same
    inputs and the same complete labels before erasure. Chapter: ``book/classification/multi-label.ipynb``.

    Args:
        n: number of examples.
        n_features: input dimension.
        n_labels: number of labels.
        positive_rate: expected fraction of examples that carry each label, in (0, 1).
        noise: standard deviation of the label noise added to each score.
        missing: fraction of positive labels erased, in [0, 1).
        seed: the seed.

    Returns:
        ``(x, y)``: float32 ``(n, n_features)`` and float32 ``(n, n_labels)`` in {0, 1}.
    """
    fn = "multilabel"
    _check_n(fn, n)
    for name, value in (("n_features", n_features), ("n_labels", n_labels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{fn}: {name} must be an int >= 1, got {value!r}")
    if not 0.0 < positive_rate < 1.0:
        raise ValueError(f"{fn}: positive_rate must be in (0, 1), got {positive_rate!r}")
    if noise < 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise!r}")
    _check_fraction(fn, "missing", missing)
    g = _generator(fn, seed)
    w = torch.randn(n_features, n_labels, generator=g)
    w = w / w.norm(dim=0, keepdim=True)
    x = torch.randn(n, n_features, generator=g)
    score = x @ w + noise * torch.randn(n, n_labels, generator=g)  # each column ~ N(0, 1 + noise^2)
    threshold = math.sqrt(1 + noise**2) * torch.special.ndtri(torch.tensor(1 - positive_rate, dtype=torch.float64)).item()
    y = (score > threshold).float()
    erase = torch.rand(n, n_labels, generator=g) < missing  # drawn last: the rest does not depend on missing
    return x, torch.where(erase, 0.0, y)


def split(
    x: torch.Tensor, y: torch.Tensor, *, val_fraction: float = 0.25, seed: int = 0
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """Shuffle and split ``(x, y)`` into ``(train, val)`` pairs."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"split: x and y must have the same first dimension, got {tuple(x.shape)} and {tuple(y.shape)}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"split: val_fraction must be in (0, 1), got {val_fraction!r}")
    n = x.shape[0]
    order = torch.randperm(n, generator=_generator("split", seed))
    n_val = max(1, round(val_fraction * n))
    val, train = order[:n_val], order[n_val:]
    return (x[train], y[train]), (x[val], y[val])


def two_noise_levels(
    n: int = 200,
    *,
    frequency: float = 3.0,
    noise: tuple[float, float] = (0.03, 0.3),
    x_range: tuple[float, float] = (-3.0, 3.0),
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A sine with a quiet half and a noisy half: :math:`y = \\sin(\\text{frequency} \\cdot x) + \\sigma(x)\\,\\varepsilon`.

    The noise standard deviation is ``noise[0]`` for :math:`x < 0` and ``noise[1]`` for
    :math:`x \\ge 0`; the mean is the same sine on both halves, so any difference in how well
    a model fits the two halves comes from the noise (the beta-NLL experiment of the
    probabilistic chapter). Returns ``(x, y)`` of shapes ``(n, 1)``.
    """
    fn = "two_noise_levels"
    _check_n(fn, n)
    low, high = noise
    if low < 0 or high < 0:
        raise ValueError(f"{fn}: noise must be two standard deviations >= 0, got {noise!r}")
    g = _generator(fn, seed)
    lo, hi = x_range
    x = lo + (hi - lo) * torch.rand(n, 1, generator=g)
    sd = torch.where(x < 0, low, high)
    return x, torch.sin(frequency * x) + sd * torch.randn(n, 1, generator=g)


def segmentation(
    n: int = 200,
    *,
    size: int = 32,
    n_classes: int = 2,
    foreground: float = 0.02,
    noise: float = 0.5,
    empty: float = 0.0,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Noisy grey images with small bright objects, and their segmentation masks.

    Each image holds one object per foreground class :math:`k = 1, \ldots, C - 1` on a
    background of class 0: odd classes are discs, even classes squares, and class :math:`k`
    has intensity :math:`1 + (k - 1)/2` (1 for class 1) on a background of 0. Each object's
    area is ``foreground * size**2`` times a factor uniform in :math:`[0.6, 1.4]`, so that
    every class covers about ``foreground`` of the pixels on average; it lies wholly inside
    the image at a uniform position, and a later class is painted over an earlier one where
    they overlap. Gaussian noise of standard deviation ``noise`` is added to every pixel.
    ``empty`` makes that fraction of the images (chosen at random) hold no object at all:
    their masks are all background. Chapters: ``book/segmentation/`` (Dice, Tversky, Lovász).

    Args:
        n: number of images.
        size: image height and width, in pixels (at least 8).
        n_classes: number of classes, background included (at least 2).
        foreground: the average fraction of the pixels each foreground class covers, in
            (0, 0.25].
        noise: standard deviation of the pixel noise, >= 0.
        empty: fraction of the images with no object, in [0, 1).
        seed: the seed.

    Returns:
        ``(images, masks)``: float32 ``(n, 1, size, size)`` and int64 ``(n, size, size)``
        with values in ``[0, n_classes)``.
    """
    fn = "segmentation"
    _check_n(fn, n)
    if isinstance(size, bool) or not isinstance(size, int) or size < 8:
        raise ValueError(f"{fn}: size must be an int >= 8, got {size!r}")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"{fn}: n_classes must be an int >= 2, got {n_classes!r}")
    if not 0.0 < foreground <= 0.25:
        raise ValueError(f"{fn}: foreground must be in (0, 0.25], got {foreground!r}")
    if noise < 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise!r}")
    _check_fraction(fn, "empty", empty)
    g = _generator(fn, seed)
    coords = torch.arange(size, dtype=torch.float32) + 0.5
    rows, cols = coords.view(1, size, 1), coords.view(1, 1, size)
    images = torch.zeros(n, 1, size, size)
    masks = torch.zeros(n, size, size, dtype=torch.int64)
    for k in range(1, n_classes):
        area = foreground * size * size * (0.6 + 0.8 * torch.rand(n, generator=g))
        disc = k % 2 == 1
        half = torch.sqrt(area / math.pi) if disc else torch.sqrt(area) / 2  # radius, or half the side
        lo, hi = half + 0.5, size - half - 0.5
        cy = (lo + (hi - lo) * torch.rand(n, generator=g)).view(n, 1, 1)
        cx = (lo + (hi - lo) * torch.rand(n, generator=g)).view(n, 1, 1)
        h = half.view(n, 1, 1)
        if disc:
            inside = (rows - cy) ** 2 + (cols - cx) ** 2 <= h**2
        else:
            inside = ((rows - cy).abs() <= h) & ((cols - cx).abs() <= h)
        masks[inside] = k
        images[:, 0][inside] = 1.0 + (k - 1) / 2
    blank = torch.rand(n, generator=g) < empty
    masks[blank] = 0
    images[blank] = 0.0
    images += noise * torch.randn(n, 1, size, size, generator=g)
    return images, masks


def views(
    n: int = 512,
    *,
    n_classes: int = 4,
    content_dim: int = 4,
    style_dim: int = 4,
    n_features: int = 16,
    spread: float = 2.0,
    style: float = 2.0,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Two noisy "augmented" views of shared latent codes, for contrastive learning.

    Each example has a class :math:`y` and a **content** code :math:`c = \mu_y + \varepsilon`
    (``content_dim`` numbers; class centres :math:`\mu_y` with entries of standard deviation
    ``spread``, unit within-class noise), shared by its two views. Each view draws its own
    **style** :math:`s` (``style_dim`` numbers of standard deviation ``style``, the augmentation)
    and observes :math:`x = \tanh([c, s] A) B + \text{noise}\cdot\eta`, with one fixed random
    mixing :math:`A` (:math:`k \times h`, scaled by :math:`1/\sqrt{k}`, :math:`k` = content + style
    dimensions, :math:`h = 2\,\text{n_features}` hidden units) and :math:`B` (:math:`h \times`
    ``n_features``, scaled by :math:`2/\sqrt{h}`), all entries standard normal before scaling. What the two
    views share is the content, and a loss that makes them agree learns it and discards the style.
    Chapter: ``book/representation/contrastive.ipynb``.

    Args:
        n: number of examples (pairs of views).
        n_classes: number of classes.
        content_dim: dimension of the shared code.
        style_dim: dimension of the per-view style.
        n_features: dimension of each view.
        spread: standard deviation of the entries of the class centres.
        style: standard deviation of the style.
        noise: standard deviation of the observation noise of each view.
        seed: the seed (the mixing, the centres and the draws).

    Returns:
        ``(y, content, view1, view2)``: int64 labels ``(n,)``, float32 codes ``(n, content_dim)``
        and two float32 views ``(n, n_features)``.
    """
    fn = "views"
    _check_n(fn, n)
    for name, value, low in (("n_classes", n_classes, 2), ("content_dim", content_dim, 1), ("style_dim", style_dim, 0), ("n_features", n_features, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{fn}: {name} must be an int >= {low}, got {value!r}")
    for name, value in (("spread", spread), ("style", style), ("noise", noise)):
        if not value >= 0:
            raise ValueError(f"{fn}: {name} must be >= 0, got {value!r}")
    g = _generator(fn, seed)
    k = content_dim + style_dim
    hidden = 2 * n_features
    a = torch.randn(k, hidden, generator=g) / math.sqrt(k)
    b = torch.randn(hidden, n_features, generator=g) / math.sqrt(hidden) * 2.0
    centres = spread * torch.randn(n_classes, content_dim, generator=g)
    y = _labels(fn, n, n_classes, None, g)
    content = centres[y] + torch.randn(n, content_dim, generator=g)

    def observe():
        s = style * torch.randn(n, style_dim, generator=g)
        x = torch.tanh(torch.cat([content, s], dim=1) @ a) @ b
        return x + noise * torch.randn(n, n_features, generator=g)

    view1 = observe()
    return y, content, view1, observe()


def frame_sequences(
    n: int = 512,
    *,
    n_symbols: int = 4,
    length: tuple[int, int] = (2, 4),
    frames: tuple[int, int] = (2, 3),
    n_features: int = 8,
    noise: float = 0.7,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Noisy frame sequences that spell short label sequences, for CTC (``book/structured/ctc.ipynb``).

    Each of the ``n_symbols`` symbols (labelled ``1 .. n_symbols``; 0 is left for the blank)
    and a silence have a prototype frame drawn once, ``N(0, I)`` in ``n_features`` dimensions.
    A sequence draws a label length uniformly in ``length`` and labels uniformly (repeats
    included); each label then emits between ``frames[0]`` and ``frames[1]`` copies of its
    prototype, plus ``N(0, noise^2)`` noise per feature. One silence frame comes first, one
    last, and one between two equal labels (so that a repeat can be told from a long label);
    between different labels a silence frame comes with probability 1/2. No frame says where
    a label starts: the alignment is what CTC sums over.

    Returns:
        ``(x, labels, input_lengths, label_lengths)``: float32 frames ``(n, T, n_features)``
        (batch first, zero after a sequence's end, ``T`` the longest sequence), int64 labels
        ``(n, length[1])`` padded with 0, and the int64 lengths ``(n,)`` of both.
    """
    fn = "frame_sequences"
    _check_n(fn, n)
    if isinstance(n_symbols, bool) or not isinstance(n_symbols, int) or n_symbols < 1:
        raise ValueError(f"{fn}: n_symbols must be an int >= 1, got {n_symbols!r}")
    for name, (low, high), minimum in (("length", length, 0), ("frames", frames, 1)):
        if not (isinstance(low, int) and isinstance(high, int) and minimum <= low <= high):
            raise ValueError(f"{fn}: {name} must be a pair of ints ({minimum} <= low <= high), got {(low, high)!r}")
    if not noise >= 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise!r}")
    g = _generator(fn, seed)
    prototypes = torch.randn(n_symbols + 1, n_features, generator=g)  # row 0: silence
    label_lengths = torch.randint(length[0], length[1] + 1, (n,), generator=g)
    labels = torch.randint(1, n_symbols + 1, (n, length[1]), generator=g)
    labels[torch.arange(length[1]) >= label_lengths[:, None]] = 0
    durations = torch.randint(frames[0], frames[1] + 1, (n, length[1]), generator=g)
    optional_gap = torch.rand(n, length[1], generator=g) < 0.5
    ids = []
    for i in range(n):
        seq = [0]
        for k in range(int(label_lengths[i])):
            if k > 0 and (labels[i, k] == labels[i, k - 1] or optional_gap[i, k]):
                seq.append(0)
            seq.extend([int(labels[i, k])] * int(durations[i, k]))
        ids.append(seq + [0])
    input_lengths = torch.tensor([len(s) for s in ids])
    steps = int(input_lengths.max())
    frame_ids = torch.zeros(n, steps, dtype=torch.long)
    for i, seq in enumerate(ids):
        frame_ids[i, : len(seq)] = torch.tensor(seq)
    x = prototypes[frame_ids] + noise * torch.randn(n, steps, n_features, generator=g)
    x[torch.arange(steps) >= input_lengths[:, None]] = 0.0
    return x, labels, input_lengths, label_lengths


def ranking(
    n_queries: int = 200,
    *,
    list_size: int = 20,
    n_features: int = 8,
    levels: int = 5,
    curvature: float = 1.5,
    noise: float = 0.5,
    query_spread: float = 0.5,
    min_size: int | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, ...]:
    r"""Synthetic search queries: lists of items with graded relevance, for learning to rank.

    Used in ``book/structured/pairwise-ranking.ipynb`` and ``book/structured/listwise-ranking.ipynb``.
    Each query has ``list_size`` items with features :math:`x \sim N(0, I)` (``n_features``
    numbers). An item's utility is **not linear** in its features,

    .. math:: u = x^\top w + c\,\max(0, x^\top v)^2 + b_q + \text{noise}\cdot\varepsilon,

    with two fixed random unit directions :math:`w \perp v` (drawn from the seed), ``c`` the
    ``curvature``, a per-query offset :math:`b_q \sim N(0, \text{query_spread}^2)` and
    :math:`\varepsilon \sim N(0, 1)`. So the order among the many poor items follows
    :math:`w` while the few best items are those far along :math:`v`, and a linear scorer
    :math:`x^\top \theta` must choose where to be right: the ranking losses choose differently.
    Grades are ``0 .. levels - 1``: an item gets grade :math:`g` when its utility exceeds the
    :math:`1 - 2^{-g}` quantile of all (valid) items' utilities and not the next, so half the
    items have grade 0, a quarter grade 1, ..., and a query may have no relevant item at all
    (rare with 20 items, likelier with short lists or a large ``query_spread``).

    Args:
        n_queries: number of queries (lists).
        list_size: items per list (the longest list when ``min_size`` is given).
        n_features: features per item (>= 2).
        levels: number of relevance grades (>= 2).
        curvature: weight ``c`` of the nonlinear term (0 makes the utility linear).
        noise: standard deviation of the utility noise.
        query_spread: standard deviation of the per-query offset.
        min_size: if given, list lengths are drawn uniformly in ``[min_size, list_size]``
            (``min_size >= 1``) and lists are padded to ``list_size``.
        seed: the seed (the directions and every draw).

    Returns:
        ``(features, relevance)``: float32 ``(n_queries, list_size, n_features)`` and float32
        grades ``(n_queries, list_size)``; with ``min_size`` given, ``(features, relevance, mask)``
        where ``mask`` is a boolean ``(n_queries, list_size)`` tensor, True for real items and
        False for padding (padding items have zero features and relevance 0; a list's real items
        come first).
    """
    fn = "ranking"
    _check_n(fn, n_queries)
    for name, value, low in (("list_size", list_size, 2), ("n_features", n_features, 2), ("levels", levels, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{fn}: {name} must be an int >= {low}, got {value!r}")
    for name, value in (("curvature", curvature), ("noise", noise), ("query_spread", query_spread)):
        if not value >= 0:
            raise ValueError(f"{fn}: {name} must be >= 0, got {value!r}")
    if min_size is not None and (isinstance(min_size, bool) or not isinstance(min_size, int) or not 1 <= min_size <= list_size):
        raise ValueError(f"{fn}: min_size must be None or an int in [1, list_size] with list_size = {list_size}, got {min_size!r}")
    g = _generator(fn, seed)
    directions = torch.linalg.qr(torch.randn(n_features, 2, generator=g)).Q  # orthonormal w, v
    w, v = directions[:, 0], directions[:, 1]
    x = torch.randn(n_queries, list_size, n_features, generator=g)
    offset = query_spread * torch.randn(n_queries, 1, generator=g)
    u = x @ w + curvature * (x @ v).clamp(min=0).square() + offset + noise * torch.randn(n_queries, list_size, generator=g)
    if min_size is None:
        mask = torch.ones(n_queries, list_size, dtype=torch.bool)
    else:
        lengths = torch.randint(min_size, list_size + 1, (n_queries, 1), generator=g)
        mask = torch.arange(list_size) < lengths
    quantiles = torch.tensor([1 - 2.0**-grade for grade in range(1, levels)], dtype=torch.float64)
    thresholds = torch.quantile(u[mask].double(), quantiles).float()
    relevance = (u[..., None] > thresholds).sum(-1).float()
    relevance = relevance * mask
    x = x * mask[..., None]
    if min_size is None:
        return x, relevance
    return x, relevance, mask
