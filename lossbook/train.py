"""Seeding, device selection and the training loop every chapter uses.

Chapters call :func:`setup` once in their first code cell and train with :func:`fit`;
the same code runs on CUDA, MPS or the CPU.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

DEVICE_ENV = "LOSSBOOK_DEVICE"
OPTIMIZERS = ("sgd", "adam", "adamw")


def device(name: str | None = None) -> torch.device:
    """The device to compute on.

    ``name`` wins if given; otherwise the environment variable ``LOSSBOOK_DEVICE``
    (for example ``LOSSBOOK_DEVICE=cpu``); otherwise CUDA, then MPS, then the CPU.
    """
    name = name or os.environ.get(DEVICE_ENV)
    if name:
        try:
            return torch.device(name)
        except RuntimeError as err:
            raise ValueError(f"device: {DEVICE_ENV} or name must name a torch device such as 'cpu' or 'cuda', got {name!r}") from err
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


_device = device  # fit() takes an argument named ``device``, which hides the function


def setup(seed: int = 0, *, threads: int | None = None) -> torch.device:
    """Seed Python, NumPy and torch (every device) and return :func:`device`.

    Call it once at the top of a notebook: what follows is then reproducible. It leaves
    torch's CPU thread count alone unless ``threads`` is given.

    Args:
        seed: the seed.
        threads: if given, torch's CPU threads (``torch.set_num_threads``). The book's
            chapters pass ``threads=1``: their small models gain nothing from more, and a
            fixed count makes CPU results identical whatever the number of cores (parallel
            reductions add in another order). ``None``, the default, leaves torch's setting
            alone, so that calling ``setup`` never slows a user's training.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"setup: seed must be an int, got {type(seed).__name__}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"setup: threads must be a positive int or None, got {threads!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds CUDA and MPS too
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    if threads is not None:
        torch.set_num_threads(threads)
    return device()


@dataclass
class History:
    """Per-epoch record of a :func:`fit` run.

    Attributes:
        train_loss: mean training loss of each epoch: the loss of each mini-batch as the
            step computed it (before that step's update), averaged with weights by the
            mini-batch size. With a full batch, the first entry is the untrained loss.
        val_loss: loss on ``val_data`` after each epoch (empty without ``val_data``).
        metrics: for each metric name, its value on ``val_data`` (or on the training
            data when there is no ``val_data``) after each epoch.
        lr: the learning rate of the first parameter group during each epoch (it changes
            only with a ``scheduler``).
        grad_norm: with ``clip_grad_norm``, the norm of the full gradient at every step,
            before clipping (empty otherwise).
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def __str__(self) -> str:
        parts = [f"epochs={self.epochs}", f"train_loss={self.train_loss[-1]:.4g}" if self.train_loss else ""]
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4g}")
        parts += [f"{k}={v[-1]:.4g}" for k, v in self.metrics.items() if v]
        return "History(" + ", ".join(p for p in parts if p) + ")"


def _check_data(name: str, data) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(data, Sequence) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data)):
        raise TypeError(f"fit: {name} must be a pair (inputs, targets) of tensors, got {type(data).__name__}")
    x, y = data
    if x.shape[:1] != y.shape[:1] or x.dim() == 0:
        raise ValueError(
            f"fit: {name} inputs and targets must have the same first (batch) dimension, "
            f"got shapes {tuple(x.shape)} and {tuple(y.shape)}"
        )
    return x, y


def _make_optimizer(optimizer, params, lr: float) -> torch.optim.Optimizer:
    if isinstance(optimizer, str):
        classes = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
        if optimizer.lower() not in classes:
            raise ValueError(f"fit: optimizer must be one of {OPTIMIZERS} or a callable, got {optimizer!r}")
        return classes[optimizer.lower()](params, lr=lr)
    if callable(optimizer):
        return optimizer(params, lr=lr)
    raise TypeError(f"fit: optimizer must be one of {OPTIMIZERS} or a callable(params, lr=...), got {type(optimizer).__name__}")


def fit(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    data: tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int = 100,
    lr: float = 1e-2,
    optimizer: str | Callable = "adam",
    batch_size: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    val_data: tuple[torch.Tensor, torch.Tensor] | None = None,
    metrics: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor | float]] | None = None,
    scheduler: Callable[[torch.optim.Optimizer], object] | None = None,
    clip_grad_norm: float | None = None,
    progress: bool = False,
) -> History:
    """Train ``model`` to minimize ``loss_fn(model(x), y)``; the loop every chapter uses.

    Args:
        model: the model; it is moved to ``device`` and trained in place.
        loss_fn: ``loss_fn(prediction, target)`` returning a scalar, e.g. ``lossbook.losses.mse_loss``.
        data: the training pair ``(x, y)``; the first dimension indexes examples.
        epochs: passes over ``data``.
        lr: learning rate.
        optimizer: ``'sgd'``, ``'adam'`` or ``'adamw'``, or a callable ``optimizer(params, lr=lr)``
            such as ``torch.optim.SGD`` or ``functools.partial(torch.optim.SGD, momentum=0.9)``.
        batch_size: examples per step; ``None`` trains on the full batch.
        device: where to train; ``None`` picks :func:`lossbook.train.device`.
        seed: seeds the shuffling of mini-batches (drawn on the CPU, so every device sees the
            same order).
        val_data: optional held-out pair ``(x, y)``, evaluated after each epoch.
        metrics: optional ``{name: metric(prediction, target)}``, evaluated after each epoch on
            ``val_data`` (or ``data`` without it).
        scheduler: optional ``scheduler(optimizer)`` returning a learning-rate scheduler, such
            as ``lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)``;
            its ``step()`` is called once at the end of every epoch (so its unit of time is the
            epoch, whatever the number of mini-batches), without arguments, so a scheduler whose
            ``step`` needs a metric (``ReduceLROnPlateau``) does not fit here. The learning rate
            each epoch trained with is recorded in ``History.lr``.
        clip_grad_norm: if given, the gradient of all parameters together is rescaled before
            each step so that its Euclidean norm is at most this value
            (:func:`torch.nn.utils.clip_grad_norm_`); the norms before clipping are recorded
            in ``History.grad_norm``. ``None``, the default, does not clip.
        progress: show a tqdm progress bar (off by default so notebook outputs stay
            reproducible); needs tqdm, ``pip install 'lossbook[progress]'``.

    Returns:
        A :class:`History` of per-epoch losses and metrics.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit: model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable, got {type(loss_fn).__name__}")
    x, y = _check_data("data", data)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"fit: lr must be a positive number, got {lr!r}")
    n = x.shape[0]
    if batch_size is None:
        batch_size = n
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be a positive int or None, got {batch_size!r}")

    if clip_grad_norm is not None and (isinstance(clip_grad_norm, bool) or not isinstance(clip_grad_norm, (int, float)) or not clip_grad_norm > 0):
        raise ValueError(f"fit: clip_grad_norm must be a positive number or None, got {clip_grad_norm!r}")
    if scheduler is not None and not callable(scheduler):
        raise TypeError(f"fit: scheduler must be a callable scheduler(optimizer) or None, got {type(scheduler).__name__}")

    dev = _device(str(device) if device is not None else None)
    model.to(dev)
    x, y = x.to(dev), y.to(dev)
    val = tuple(t.to(dev) for t in _check_data("val_data", val_data)) if val_data is not None else None
    opt = _make_optimizer(optimizer, model.parameters(), lr)
    sched = scheduler(opt) if scheduler is not None else None
    if sched is not None and not callable(getattr(sched, "step", None)):
        raise TypeError(f"fit: scheduler(optimizer) must return an object with a step() method, got {type(sched).__name__}")
    generator = torch.Generator().manual_seed(seed)
    history = History(metrics={name: [] for name in (metrics or {})})

    epoch_range = range(epochs)
    if progress:
        try:
            from tqdm.auto import tqdm
        except ImportError as err:
            raise ImportError("fit: progress=True needs tqdm; install it with pip install 'lossbook[progress]' (or pip install tqdm)") from err

        epoch_range = tqdm(epoch_range, desc="fit")
    for _ in epoch_range:
        model.train()
        order = torch.randperm(n, generator=generator).to(dev) if batch_size < n else None
        total = 0.0
        history.lr.append(opt.param_groups[0]["lr"])
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size] if order is not None else slice(None)
            xb, yb = x[idx], y[idx]
            loss = loss_fn(model(xb), yb)
            if loss.dim() != 0:
                raise ValueError(f"fit: loss_fn must return a scalar, got shape {tuple(loss.shape)}; use reduction='mean' or 'sum'")
            opt.zero_grad()
            loss.backward()
            if clip_grad_norm is not None:
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
                history.grad_norm.append(norm.item())
            opt.step()
            total += loss.item() * xb.shape[0]
        history.train_loss.append(total / n)
        if sched is not None:
            sched.step()

        model.eval()
        if val is not None or metrics:  # nothing to evaluate otherwise: no extra pass over the data
            with torch.no_grad():
                ex, ey = val if val is not None else (x, y)
                pred = model(ex)
                if val is not None:
                    history.val_loss.append(loss_fn(pred, ey).item())
                for name, metric in (metrics or {}).items():
                    value = metric(pred, ey)
                    history.metrics[name].append(float(value.item() if isinstance(value, torch.Tensor) else value))
        if progress:
            epoch_range.set_postfix(loss=history.train_loss[-1])
    return history
