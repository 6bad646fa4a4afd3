"""The figures that recur across chapters.

Each function draws on the axes it is given (or on a new figure), returns its axes, and
changes no global matplotlib state. ``import lossbook`` does not load this module (nor
matplotlib): ``lossbook.plot`` loads both when first used. matplotlib comes with the
book's requirements, or with ``pip install "lossbook[plot]"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from lossbook.train import History

try:
    import matplotlib.pyplot as plt
except ImportError as exc:  # lossbook itself does not need matplotlib
    raise ImportError('lossbook.plot needs matplotlib: pip install "lossbook[plot]"') from exc

__all__ = ["decision_regions", "history", "loss_and_gradient", "predictions", "reliability_diagram"]


def __dir__() -> list[str]:
    return sorted(__all__)


def _axes(ax, ncols: int = 1, figsize=(6.4, 4.0)):
    if ax is not None:
        return ax
    _, ax = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    return ax


def loss_and_gradient(
    losses: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
    *,
    x: torch.Tensor | None = None,
    xlabel: str = "residual $r = x - y$",
    ax=None,
):
    """Plot several element-wise losses and their derivatives side by side.

    Args:
        losses: ``{label: f}`` where ``f(r)`` maps a 1-D tensor of residuals (or margins,
            or logits) to the element-wise loss; the derivative is taken by autograd,
            which runs the loss's own backward.
        x: the points to plot at (default 601 points on [-3, 3]).
        xlabel: label of the horizontal axis.
        ax: a pair of axes (loss, gradient); new ones by default.

    Returns:
        The two axes.
    """
    if x is None:
        x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    ax_loss, ax_grad = _axes(ax, ncols=2, figsize=(10, 4))
    for label, f in losses.items():
        r = x.detach().clone().requires_grad_(True)
        value = f(r)
        (grad,) = torch.autograd.grad(value.sum(), r)
        ax_loss.plot(x.cpu(), value.detach().cpu(), label=label)
        ax_grad.plot(x.cpu(), grad.cpu(), label=label)
    for a, title in ((ax_loss, "loss"), (ax_grad, "derivative")):
        a.set_xlabel(xlabel)
        a.set_title(title)
        a.axhline(0, color="0.8", lw=0.8, zorder=0)
        a.axvline(0, color="0.8", lw=0.8, zorder=0)
        a.legend()
    return ax_loss, ax_grad


def history(histories: History | Mapping[str, History], *, log: bool = True, val: bool = True, ax=None):
    """Plot training (solid) and validation (dashed) loss per epoch for one or several runs."""
    if isinstance(histories, History):
        histories = {"train": histories}
    ax = _axes(ax)
    for i, (label, h) in enumerate(histories.items()):
        color = f"C{i}"
        ax.plot(range(1, h.epochs + 1), h.train_loss, color=color, label=label)
        if val and h.val_loss:
            ax.plot(range(1, len(h.val_loss) + 1), h.val_loss, color=color, ls="--", label=f"{label} (val)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def predictions(
    x: torch.Tensor,
    y: torch.Tensor,
    curves: Mapping[str, Callable[[torch.Tensor], torch.Tensor] | torch.nn.Module],
    *,
    ax=None,
    highlight: torch.Tensor | None = None,
):
    """Scatter 1-D regression data and draw each model's prediction across its range.

    Args:
        x, y: the data, shapes ``(n, 1)``.
        curves: ``{label: model}``; each is called on a grid of shape ``(200, 1)`` on the
            device of its parameters (if any).
        ax: the axes; a new figure by default.
        highlight: optional boolean mask of points to mark (outliers, say).
    """
    ax = _axes(ax)
    xs, ys = x.detach().cpu().reshape(-1), y.detach().cpu().reshape(-1)
    if highlight is not None:
        mask = highlight.detach().cpu().reshape(-1).bool()
        ax.scatter(xs[~mask], ys[~mask], s=10, color="0.5", alpha=0.6, label="data")
        ax.scatter(xs[mask], ys[mask], s=18, color="k", marker="x", label="outliers")
    else:
        ax.scatter(xs, ys, s=10, color="0.5", alpha=0.6, label="data")
    grid = torch.linspace(xs.min().item(), xs.max().item(), 200).reshape(-1, 1)
    for label, model in curves.items():
        params = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
        g = grid.to(params[0].device, params[0].dtype) if params else grid
        with torch.no_grad():
            ax.plot(grid.reshape(-1), model(g).detach().cpu().reshape(-1), lw=2, label=label)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend()
    return ax


def decision_regions(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, *, ax=None, resolution: int = 200, margin: float = 0.5):
    """Colour the plane by the class ``model`` predicts and scatter 2-D labelled data on top.

    The model maps ``(m, 2)`` inputs to logits: ``(m, K)`` for ``K`` classes (argmax), or
    ``(m,)``/``(m, 1)`` for a binary problem (positive when the logit is above 0).
    """
    ax = _axes(ax, figsize=(5, 4.5))
    xs, ys = x.detach().cpu(), y.detach().cpu().reshape(-1)
    lo, hi = xs.min(dim=0).values - margin, xs.max(dim=0).values + margin
    g0, g1 = torch.meshgrid(torch.linspace(lo[0], hi[0], resolution), torch.linspace(lo[1], hi[1], resolution), indexing="xy")
    grid = torch.stack([g0.reshape(-1), g1.reshape(-1)], dim=1)
    params = list(model.parameters())
    with torch.no_grad():
        logits = model(grid.to(params[0].device, params[0].dtype) if params else grid).cpu()
    pred = logits.argmax(dim=1) if logits.dim() == 2 and logits.shape[1] > 1 else (logits.reshape(-1) > 0).long()
    n_classes = int(max(ys.max().item(), pred.max().item())) + 1
    cmap = plt.get_cmap("tab10")
    colors = [cmap(k) for k in range(n_classes)]
    ax.contourf(g0, g1, pred.reshape(resolution, resolution), levels=torch.arange(n_classes + 1) - 0.5, colors=colors, alpha=0.25)
    for k in range(n_classes):
        ax.scatter(xs[ys == k, 0], xs[ys == k, 1], s=10, color=colors[k], edgecolor="k", linewidth=0.3, label=f"class {k}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small")
    return ax


def reliability_diagram(
    probabilities: torch.Tensor | Mapping[str, torch.Tensor], target: torch.Tensor, *, bins: int = 10, ax=None
):
    """Plot accuracy against confidence, bin by bin, for one or several classifiers.

    The examples are grouped into ``bins`` equal-width bins of confidence (the largest class
    probability) by :func:`lossbook.metrics.reliability`; each bin is drawn at its mean
    confidence and its accuracy, with an area proportional to its share of the examples.
    A calibrated model lies on the diagonal; points below it are overconfident, points above
    it underconfident (Guo et al., 2017; chapter ``book/classification/label-smoothing.ipynb``).

    Args:
        probabilities: ``(n, K)`` class probabilities (softmax outputs), or ``{label: probabilities}``.
        target: ``(n,)`` class labels.
        bins: number of confidence bins.
        ax: the axes; a new figure by default.

    Returns:
        The axes.
    """
    from lossbook import metrics

    if isinstance(probabilities, torch.Tensor):
        probabilities = {"model": probabilities}
    ax = _axes(ax, figsize=(4.8, 4.5))
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", lw=1, label="calibrated")
    for i, (label, p) in enumerate(probabilities.items()):
        confidence, accuracy, count = metrics.reliability(p, target, bins=bins)
        share = torch.tensor(count, dtype=torch.float64) / sum(count)
        ax.plot(confidence, accuracy, color=f"C{i}", lw=1.5, label=label)
        ax.scatter(confidence, accuracy, s=(10 + 300 * share).tolist(), color=f"C{i}", alpha=0.7, edgecolor="k", linewidth=0.3)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (mean of the bin)")
    ax.set_ylabel("accuracy (of the bin)")
    ax.legend(loc="upper left", fontsize="small")
    return ax
