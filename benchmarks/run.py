"""Benchmark every lossbook loss against PyTorch's built-in and the plain autograd composition of its formula.

For each loss of the test registry (``tests/registry/``), forward plus backward is timed
for three implementations of the same number:

- **lossbook**: the loss, whose ``autograd.Function`` has the chapter's hand-derived backward;
- **torch**: the PyTorch built-in of the same name in ``torch.nn.functional``, where there is one;
- **plain**: the formula written with ordinary tensor ops and differentiated by autograd: the
  registry's reference for the losses PyTorch lacks (torchvision's focal loss, the ASL
  paper's loss, ...), and for the others the textbook formula written out below.

It also counts the bytes each graph saves for backward (``saved_tensors_hooks``), beyond the
storage of the arguments themselves, which the caller holds anyway.

Method: one CPU thread (``torch.set_num_threads(1)``) unless ``--threads``; the three
implementations run interleaved, round after round in a rotating order, so that a slow
moment of a shared machine hits all of them alike; warm-up rounds are discarded; each
time is the median over the rounds of the per-call time of a batch of calls (a loss whose
slowest call takes longer than a batch, such as the pairwise multi-label margin composition,
gets fewer rounds, at least 3). On Linux glibc is asked to keep freed memory
(:func:`keep_freed_memory`; ``--release-memory`` leaves its default), so that page faults on
fresh memory do not decide the ratios. After the summaries, two lines per size: the
``floor``, a Function doing only ``nll_loss``'s gather and scatter against PyTorch's
``nll_loss`` (what any hand-written backward in Python costs at least), and ``exp``, the
speed of ``torch.exp`` against the scale and ``torch.exp2`` of ``lossbook/losses/_exp.py``. Sizes:
``large`` (2^20 elements: (8192, 128) inputs, or (8192, 128) logits with 8192 class
targets) and ``small`` (32 x 10). It is not a test: ``tests/test_benchmark.py`` runs it once
at a tiny size to keep it working.

Usage::

    python benchmarks/run.py                      # every loss, both sizes, CPU
    python benchmarks/run.py --only huber_loss cross_entropy
    python benchmarks/run.py --device cuda        # the same table on a GPU
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the registry lives in tests/

from lossbook.losses._exp import LOG2_E  # noqa: E402
from tests.registry import REGISTRY, materialize  # noqa: E402

SIZES = {"large": (8192, 128), "small": (32, 10), "tiny": (4, 3)}
SAVED_FLOOR = 4096  # saved-bytes ratios count anything below 4 KiB as 4 KiB (0 / 0 is a ratio of 1)


# --- inputs: (args, kwargs) at a size (N, C), on a device ---------------------------------------------


def _pair(n, c, g):
    return torch.randn(n, c, generator=g), torch.randn(n, c, generator=g)


def _logit_soft(n, c, g):
    return 3 * torch.randn(n, c, generator=g), torch.rand(n, c, generator=g)


def _probabilities(n, c, g):
    return 0.05 + 0.9 * torch.rand(n, c, generator=g), torch.rand(n, c, generator=g)


def _classes(n, c, g):
    return 2 * torch.randn(n, c, generator=g), torch.randint(0, c, (n,), generator=g)


def _log_probabilities(n, c, g):
    z, y = _classes(n, c, g)
    return torch.log_softmax(z, dim=1), y


def _signed(n, c, g):
    y = torch.where(torch.rand(n, c, generator=g) < 0.5, -1.0, 1.0)
    return 2 * torch.randn(n, c, generator=g), y


def _gaussian(n, c, g):
    return torch.randn(n, c, generator=g), torch.randn(n, c, generator=g), 0.2 + torch.rand(n, c, generator=g)


def _poisson(n, c, g):
    return 0.2 + 2 * torch.rand(n, c, generator=g), 5 * torch.rand(n, c, generator=g)


def _kl(n, c, g):
    return torch.log_softmax(torch.randn(n, c, generator=g), dim=1), torch.softmax(torch.randn(n, c, generator=g), dim=1)


def _two_logits(n, c, g):
    return 2 * torch.randn(n, c, generator=g), 2 * torch.randn(n, c, generator=g)


def _label_lists(n, c, g):
    """Scores and -1-terminated target lists of k = C / 8 labels (at least 1) per row."""
    k = max(1, c // 8)
    labels = torch.rand(n, c, generator=g).argsort(dim=1)[:, :k]
    target = torch.full((n, c), -1, dtype=torch.long)
    target[:, :k] = labels
    return torch.randn(n, c, generator=g), target


def _embeddings_centres(n, c, g):
    """Embeddings (N, D), class centres (C, D) and class indices (N,), with D = C (the size's second number)."""
    return torch.randn(n, c, generator=g), torch.randn(c, c, generator=g), torch.randint(0, c, (n,), generator=g)


def _view_pair(n, c, g):
    """Two batches of embeddings (min(N, 1024), D) (the similarity matrix is N x N), the second a noisy copy of the first."""
    n = min(n, 1024)
    x = torch.randn(n, c, generator=g)
    return x, x + torch.randn(n, c, generator=g)


def _labelled_embeddings(n, c, g):
    """Embeddings (min(N, 1024), D) and labels of about 8 rows per class."""
    n = min(n, 1024)
    return torch.randn(n, c, generator=g), torch.randint(0, max(2, n // 8), (n,), generator=g)


def _triplets(n, c, g):
    """Anchors (N, D), positives near them and negatives farther off: most triplets active at margin 1."""
    a = torch.randn(n, c, generator=g)
    return a, a + 0.05 * torch.randn(n, c, generator=g), a + 0.1 * torch.randn(n, c, generator=g)


def _distance_signs(n, c, g):
    """Non-negative distances and labels in {-1, +1} (hinge_embedding_loss)."""
    return 2 * torch.rand(n, c, generator=g), _signed(n, c, g)[1]


def _embedding_pairs(n, c, g, labels=(-1.0, 1.0)):
    """Two (N, D) embedding batches and one label per pair (the pair losses of book/representation/pairwise.ipynb)."""
    y = torch.where(torch.rand(n, generator=g) < 0.5, labels[0], labels[1])
    return torch.randn(n, c, generator=g), torch.randn(n, c, generator=g), y


def _ctc(n, c, g):
    """CTC at a speech-like size: T=100 frames, N=32 sequences, C=28 classes, labels of 10 to 20 (large); smaller at the other sizes."""
    steps, batch, classes, width = (100, 32, 28, 20) if n * c >= 2**16 else (20, 4, 10, 5) if n * c >= 64 else (6, 2, 3, 2)
    log_probs = torch.randn(steps, batch, classes, generator=g).log_softmax(-1)
    targets = torch.randint(1, classes, (batch, width), generator=g)
    target_lengths = torch.randint(width // 2, width + 1, (batch,), generator=g)
    return log_probs, targets, torch.full((batch,), steps), target_lengths


def _masks_2d(n, c, g):
    """Binary segmentation: N / 128 images of C x 128 pixels (64 of 128 x 128 at the large size), masks with 1% of the pixels ignored (255)."""
    x = 2 * torch.randn(max(1, n // 128), c, 128, generator=g)
    y = (torch.rand(x.shape, generator=g) < 0.3).long().masked_fill_(torch.rand(x.shape, generator=g) < 0.01, 255)
    return x, y


def _classes_2d(n, c, g):
    """8-class segmentation: N / 1024 images of 8 x C x 128 logits (8 of 8 x 128 x 128 at the large size), 1% of the pixels ignored (255)."""
    x = 2 * torch.randn(max(1, n // 1024), 8, c, 128, generator=g)
    y = torch.randint(0, 8, (x.shape[0], c, 128), generator=g).masked_fill_(torch.rand(x.shape[0], c, 128, generator=g) < 0.01, 255)
    return x, y



def _overlap_logits(n, c, g):
    """4-class segmentation logits (N / 512, 4, C, C) (16 images of 4 x 128 x 128 at the large size) and class indices."""
    x = 2 * torch.randn(max(1, n // 512), 4, c, c, generator=g)
    return x, torch.randint(0, 4, (x.shape[0], c, c), generator=g)


def _ranking_lists(n, c, g, per=8):
    """Ranking: N / per lists of C items (1024 lists of 128 at the large size; ApproxNDCG, O(L^2) per list, 256), grades 0-4."""
    lists = max(1, n // per)
    return torch.randn(lists, c, generator=g), torch.randint(0, 5, (lists, c), generator=g).float()


def _ranked_lists(n, c, g):
    """N / 8 lists of C items (1024 lists of 128 at the large size), grades 0..4."""
    lists = max(1, n // 8)
    scores = torch.randn(lists, c, generator=g)
    relevance = torch.randint(0, 5, (lists, c), generator=g).float()
    return scores, relevance


def _score_pairs(n, c, g):
    """Two score batches (N, C) and labels in {-1, +1} (margin_ranking_loss)."""
    return torch.randn(n, c, generator=g), torch.randn(n, c, generator=g), _signed(n, c, g)[1]


INPUTS: dict[str, Callable] = {
    **dict.fromkeys(["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "log_cosh_loss", "quantile_loss", "barron_loss"], _pair),
    "gaussian_nll_loss": _gaussian,
    "poisson_nll_loss": _poisson,
    "binary_cross_entropy": _probabilities,
    **dict.fromkeys(["binary_cross_entropy_with_logits", "sigmoid_focal_loss", "asymmetric_loss", "multilabel_soft_margin_loss"], _logit_soft),
    **dict.fromkeys(["cross_entropy", "focal_loss", "poly1_cross_entropy", "multi_margin_loss"], _classes),
    "nll_loss": _log_probabilities,
    "kl_div": _kl,
    "distillation_loss": _two_logits,
    **dict.fromkeys(["hinge_loss", "soft_margin_loss"], _signed),
    "multilabel_margin_loss": _label_lists,
    "hinge_embedding_loss": _distance_signs,
    "cosine_embedding_loss": _embedding_pairs,
    "contrastive_loss": lambda n, c, g: _embedding_pairs(n, c, g, labels=(0.0, 1.0)),
    **dict.fromkeys(["triplet_margin_loss", "triplet_margin_with_distance_loss"], _triplets),
    **dict.fromkeys(["arcface_loss", "cosface_loss"], _embeddings_centres),
    "info_nce_loss": _view_pair,
    "supcon_loss": _labelled_embeddings,
    "ctc_loss": _ctc,
    "lovasz_hinge_loss": _masks_2d,
    "lovasz_softmax_loss": _classes_2d,
    **dict.fromkeys(["tversky_loss", "focal_tversky_loss"], _overlap_logits),
    **dict.fromkeys(["dice_loss", "generalized_dice_loss"], _overlap_logits),
    **dict.fromkeys(["listnet_loss", "listmle_loss"], _ranking_lists),
    "approx_ndcg_loss": lambda n, c, g: _ranking_lists(n, c, g, per=32),
}

OPTIONS = {"kl_div": {"reduction": "batchmean"}}  # kl_div's 'mean' is not the KL divergence (PyTorch warns)


def _repeated_registry_inputs(case, n, c, g):
    """For a loss without an entry in INPUTS: the registry's inputs, repeated along dimension 0 to about N * C elements."""
    args = case.inputs(torch.float32, torch.device("cpu"), g)
    reps = max(1, (n * c) // max(1, args[0].numel()))
    return tuple(a.repeat((reps,) + (1,) * (a.dim() - 1)) if a.dim() > 0 else a for a in args)


# --- the plain autograd compositions of the losses PyTorch has (the others use the registry's reference) ---


def _mean(loss, reduction):
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _multi_margin_plain(x, y, reduction="mean"):
    x_y = x.gather(1, y[:, None])
    h = (1 - x_y + x).clamp(min=0).scatter(1, y[:, None], 0.0)  # the target's own term is excluded
    return _mean(h.sum(1) / x.shape[1], reduction)


def _multilabel_margin_plain(x, y, reduction="mean"):
    # sum over targets j and non-targets i of max(0, 1 - (x_j - x_i)) / C: the (N, C, C) pairwise form
    n, c = x.shape
    listed = torch.cumprod((y >= 0).long(), dim=1).bool()  # entries before the first -1
    is_target = torch.zeros(n, c, dtype=torch.bool).scatter(1, torch.where(listed, y, 0), listed)
    pairs = (1 - x[:, :, None] + x[:, None, :]).clamp(min=0)  # [j, i]: 1 - (x_j - x_i)
    mask = is_target[:, :, None] & ~is_target[:, None, :]
    return _mean((pairs * mask).sum((1, 2)) / c, reduction)


def _triplet_plain(a, p, n, reduction="mean", margin=1.0, eps=1e-6):
    # max(0, m + ||a - p + eps|| - ||a - n + eps||), the Euclidean distance written out
    d_pos, d_neg = ((a - p + eps) ** 2).sum(-1).sqrt(), ((a - n + eps) ** 2).sum(-1).sqrt()
    return _mean((margin + d_pos - d_neg).clamp(min=0), reduction)


def _listmle_plain(s, r, reduction="mean"):
    """ListMLE by autograd: the relevance order (stable sort), a reverse logcumsumexp, degenerate lists out of the mean."""
    t = s.gather(1, torch.sort(r, dim=1, descending=True, stable=True).indices)
    ordered = (r.amax(1) > r.amin(1)).to(s.dtype)
    per = (t.flip(1).logcumsumexp(1).flip(1) - t).sum(1) * ordered
    return per if reduction == "none" else per.sum() if reduction == "sum" else per.sum() / ordered.sum().clamp(min=1)


def _hinge_embedding_plain(x, y, reduction="mean", margin=1.0):
    # x where y = 1, max(0, margin - x) where y = -1 (the labels are signs)
    similar = (y + 1) / 2
    return _mean(similar * x + (1 - similar) * (margin - x).clamp(min=0), reduction)


def _cosine_embedding_plain(x1, x2, y, reduction="mean", margin=0.0, eps=1e-12):
    # 1 - cos where y = 1, max(0, cos - margin) where y = -1; PyTorch's eps on the squared norms
    cos = (x1 * x2).sum(1) / ((x1 * x1).sum(1) + eps).mul((x2 * x2).sum(1) + eps).sqrt()
    similar = (y + 1) / 2
    return _mean(similar * (1 - cos) + (1 - similar) * (cos - margin).clamp(min=0), reduction)


def _margin_ranking_plain(x1, x2, y, reduction="mean", margin=0.0):
    return _mean((margin - y * (x1 - x2)).clamp(min=0), reduction)


def _ctc_plain(log_probs, targets, input_lengths, target_lengths, reduction="mean"):
    """CTC's alpha recursion in log space, differentiated by autograd (padded targets, full-length inputs as in INPUTS)."""
    steps, n, _ = log_probs.shape
    length = 2 * targets.shape[1] + 1
    ext = torch.zeros(n, length, dtype=torch.long).index_copy_(1, torch.arange(1, length, 2), targets)  # blank = 0
    skip = torch.full((n, length), -1e30)
    skip[:, 3::2] = torch.where(targets[:, 1:] != targets[:, :-1], 0.0, -1e30)  # s - 2 -> s between different labels
    lpe = log_probs.gather(2, ext.expand(steps, n, length))
    a = torch.cat([lpe[0, :, :2], torch.full((n, length - 2), -1e30)], 1)
    for t in range(1, steps):  # a finite -1e30 for "impossible" keeps autograd's logsumexp free of NaN
        stay, step, jump = a, F.pad(a[:, :-1], (1, 0), value=-1e30), F.pad(a[:, :-2], (2, 0), value=-1e30) + skip
        a = torch.stack([stay, step, jump]).logsumexp(0) + lpe[t]
    end = 2 * target_lengths[:, None]
    loss = -a.gather(1, torch.cat([end, (end - 1).clamp(min=0)], 1)).logsumexp(1)
    return _mean(loss / target_lengths.clamp(min=1), reduction) if reduction == "mean" else _mean(loss, reduction)


PLAIN: dict[str, Callable] = {
    "mse_loss": lambda x, y, reduction="mean": _mean((x - y) ** 2, reduction),
    "l1_loss": lambda x, y, reduction="mean": _mean((x - y).abs(), reduction),
    "huber_loss": lambda x, y, reduction="mean", delta=1.0: _mean(
        torch.where((x - y).abs() < delta, 0.5 * (x - y) ** 2, delta * ((x - y).abs() - 0.5 * delta)), reduction
    ),
    "smooth_l1_loss": lambda x, y, reduction="mean", beta=1.0: _mean(
        torch.where((x - y).abs() < beta, 0.5 * (x - y) ** 2 / beta, (x - y).abs() - 0.5 * beta), reduction
    ),
    "gaussian_nll_loss": lambda x, y, var, reduction="mean", eps=1e-6: _mean(
        0.5 * (torch.log(var.clamp(min=eps)) + (x - y) ** 2 / var.clamp(min=eps)), reduction
    ),
    "poisson_nll_loss": lambda x, y, reduction="mean": _mean(torch.exp(x) - y * x, reduction),
    "binary_cross_entropy": lambda p, y, reduction="mean": _mean(
        -(y * torch.log(p).clamp(min=-100) + (1 - y) * torch.log(1 - p).clamp(min=-100)), reduction
    ),
    "binary_cross_entropy_with_logits": lambda z, y, reduction="mean": _mean(
        z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs())), reduction
    ),
    "cross_entropy": lambda z, y, reduction="mean": _mean(-torch.log_softmax(z, 1).gather(1, y[:, None]).squeeze(1), reduction),
    "nll_loss": lambda x, y, reduction="mean": _mean(-x.gather(1, y[:, None]).squeeze(1), reduction),
    "kl_div": lambda x, t, reduction="batchmean": (torch.xlogy(t, t) - t * x).sum() / x.shape[0],
    "soft_margin_loss": lambda x, y, reduction="mean": _mean(torch.log1p(torch.exp(-y * x)), reduction),
    "multi_margin_loss": _multi_margin_plain,
    "multilabel_margin_loss": _multilabel_margin_plain,
    "hinge_embedding_loss": _hinge_embedding_plain,
    "margin_ranking_loss": _margin_ranking_plain,
    "ctc_loss": _ctc_plain,
    "cosine_embedding_loss": _cosine_embedding_plain,
    **dict.fromkeys(["triplet_margin_loss", "triplet_margin_with_distance_loss"], _triplet_plain),
    "listmle_loss": _listmle_plain,  # the registry's reference loops over positions (O(L^2))
    "multilabel_soft_margin_loss": lambda x, y, reduction="mean": _mean(
        -(y * F.logsigmoid(x) + (1 - y) * F.logsigmoid(-x)).mean(1), reduction
    ),
}


# --- measurement ---------------------------------------------------------------------------------------


@dataclass
class Impl:
    name: str
    fn: Callable


def _differentiable(args, grad_args):
    return [a.detach().clone().requires_grad_(i in grad_args and a.is_floating_point()) for i, a in enumerate(args)]


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def _forward_backward(fn, args, kwargs, wanted):
    out = fn(*args, **kwargs)
    torch.autograd.grad(out, wanted)


def saved_bytes(fn, args, kwargs) -> int:
    """Bytes the graph of ``fn(*args)`` saves for backward, beyond the storage of ``args`` themselves."""
    own = {a.untyped_storage().data_ptr() for a in args if isinstance(a, torch.Tensor)}
    own |= {v.untyped_storage().data_ptr() for v in kwargs.values() if isinstance(v, torch.Tensor)}
    seen: dict[int, int] = {}

    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in own:
            seen[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*args, **kwargs)
    del out
    return sum(seen.values())


def interleaved(calls: dict[str, Callable[[], object]], device, rounds, warmup, min_batch_s) -> dict[str, float]:
    """Median time of each zero-argument call, the calls interleaved round by round in a rotating order."""
    names, batch, seconds = list(calls), {}, {}
    for name in names:  # calls per timed batch: enough for min_batch_s
        calls[name]()
        _sync(device)
        t0 = time.perf_counter()
        calls[name]()
        _sync(device)
        seconds[name] = max(time.perf_counter() - t0, 1e-7)
        batch[name] = max(1, math.ceil(min_batch_s / seconds[name]))
    if max(batch.values()) == 1 and min_batch_s > 0:  # a call longer than a batch (the (N, C, C) compositions): fewer rounds
        rounds, warmup = max(3, min(rounds, int(10 * min_batch_s * rounds / max(seconds.values())))), min(warmup, 1)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup + rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            k = batch[name]
            _sync(device)
            t0 = time.perf_counter()
            for _ in range(k):
                calls[name]()
            _sync(device)
            if r >= warmup:
                times[name].append((time.perf_counter() - t0) / k)
    return {name: statistics.median(ts) for name, ts in times.items()}


def time_interleaved(impls, args, kwargs, wanted, device, rounds, warmup, min_batch_s):
    """Median forward-plus-backward time of each implementation, the implementations interleaved round by round."""
    calls = {impl.name: (lambda fn=impl.fn: _forward_backward(fn, args, kwargs, wanted)) for impl in impls}
    return interleaved(calls, device, rounds, warmup, min_batch_s)


class _GatherScatter(torch.autograd.Function):
    """The least a hand-written nll_loss can do: gather the targets' log-probabilities, and scatter the gradient back. No checks."""

    @staticmethod
    def forward(ctx, x, target):
        at = target.unsqueeze(1)
        ctx.save_for_backward(x, at)
        return x.gather(1, at).sum().div_(-target.numel())

    @staticmethod
    def backward(ctx, grad):
        x, at = ctx.saved_tensors
        return torch.zeros_like(x).scatter_(1, at, (grad / -at.shape[0]).expand(at.shape)), None


def floor(size, device, rounds, warmup, min_batch_s) -> str:
    """How far below torch's ``nll_loss`` a Python ``autograd.Function`` can get at all: one with nothing but nll's gather and scatter."""
    n, c = SIZES[size]
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, c, generator=g).log_softmax(1).to(device).requires_grad_()
    y = torch.randint(0, c, (n,), generator=g).to(device)
    impls = [Impl("torch", F.nll_loss), Impl("function", _GatherScatter.apply)]
    t = time_interleaved(impls, (x, y), {}, [x], device, rounds, warmup, min_batch_s)
    return (
        f"[{size}] floor: an autograd.Function that only gathers and scatters, with no checks, takes "
        f"{t['function'] / t['torch']:.2f}x torch's nll_loss ({1e6 * t['function']:.1f} vs {1e6 * t['torch']:.1f} us)"
    )


def exp_speed(size, device, rounds, warmup) -> str:
    """``torch.exp`` against the scale and ``torch.exp2`` that ``lossbook/losses/_exp.py`` uses on the CPU, over one tensor of the size."""
    x = torch.randn(SIZES[size], generator=torch.Generator().manual_seed(0)).to(device)
    out = torch.empty_like(x)
    ways = {"exp": lambda: torch.exp(x, out=out), "exp2": lambda: torch.mul(x, LOG2_E, out=out).exp2_()}
    t = interleaved(ways, device, rounds, warmup, min_batch_s=0.005)
    return f"[{size}] exp: torch.exp takes {t['exp'] / t['exp2']:.2f}x a scale and torch.exp2 ({1e6 * t['exp']:.1f} vs {1e6 * t['exp2']:.1f} us)"


def keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed memory for reuse instead of returning it to the system.

    PyTorch's CPU allocator takes large tensors from ``malloc``. By default glibc hands a freed
    block of a few MiB back to the kernel (``munmap``, or trimming the top of the heap), and the
    next tensor of that size is fresh memory whose pages fault in on first touch: on a virtual
    machine that costs more than the arithmetic of a loss, and it depends on the order of earlier
    frees, so the same code measured anywhere from 1x to 3x between runs. Keeping freed memory
    (as PyTorch's GPU caching allocator does, and as the tcmalloc or jemalloc that PyTorch's CPU
    tuning guide recommends do) leaves each implementation's own work to be timed. Returns
    whether the allocator accepted the setting (glibc only; elsewhere nothing changes).
    """
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_trim_threshold, 2**31 - 1) and mallopt(m_mmap_threshold, 32 * 2**20))  # int arguments; 32 MiB is glibc's largest mmap threshold


def _geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def run(only=None, sizes=("large", "small"), device="cpu", rounds=15, warmup=3, min_batch_s=0.02, threads=1, keep_memory=True, out=print):
    """Print the table and the summaries; return the rows (one dict per loss and size)."""
    device = torch.device(device)
    kept = keep_memory and device.type == "cpu" and keep_freed_memory()
    if device.type == "cpu" and threads:
        torch.set_num_threads(threads)
    cases = [c for c in REGISTRY if not only or c.name in only]
    unknown = set(only or ()) - {c.name for c in REGISTRY}
    if unknown:
        raise SystemExit(f"unknown loss names: {sorted(unknown)}")
    rows = []
    header = f"{'loss':34} {'size':>6} {'lossbook':>10} {'torch':>10} {'x torch':>8} {'plain':>10} {'x plain':>8}   saved MiB: lossbook / torch / plain"
    out(f"device {device}, {torch.get_num_threads() if device.type == 'cpu' else ''} thread(s); forward + backward, median of {rounds} interleaved rounds ({warmup} warm-up)"
        + ("; freed memory kept by the allocator" if kept else ""))
    out(header)
    out("-" * len(header))
    for size in sizes:
        n, c = SIZES[size]
        for case in cases:
            g = torch.Generator().manual_seed(0)
            make = INPUTS.get(case.name)
            args = make(n, c, g) if make else _repeated_registry_inputs(case, n, c, g)
            args = [a.to(device) for a in args]
            kwargs = {**materialize(case.options[0], tuple(args), g), **OPTIONS.get(case.name, {})}
            kwargs = {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
            args = _differentiable(args, case.grad_args)
            wanted = [args[i] for i in case.grad_args if args[i].requires_grad]
            builtin = getattr(F, case.name, None)
            plain = PLAIN.get(case.name, case.reference if builtin is None else None)
            impls = [Impl("lossbook", case.fn)] + ([Impl("torch", builtin)] if builtin else []) + ([Impl("plain", plain)] if plain else [])
            t = time_interleaved(impls, args, kwargs, wanted, device, rounds, warmup, min_batch_s)
            mem = {impl.name: saved_bytes(impl.fn, args, kwargs) for impl in impls}
            row = {"loss": case.name, "size": size, "time": t, "saved": mem}
            rows.append(row)
            out(format_row(row))
    out("")
    for line in summaries(rows):
        out(line)
    for size in sizes:
        out(floor(size, device, rounds, warmup, min_batch_s))
        out(exp_speed(size, device, max(rounds, 5), warmup))
    return rows


def format_row(row) -> str:
    t, mem = row["time"], row["saved"]

    def ms(name):
        return f"{1e3 * t[name]:.3f}" if name in t else "-"

    def ratio(name):
        return f"{t['lossbook'] / t[name]:.2f}x" if name in t else "-"

    def mib(name):
        return f"{mem[name] / 2**20:.1f}" if name in mem else "-"

    return (
        f"{row['loss']:34} {row['size']:>6} {ms('lossbook'):>10} {ms('torch'):>10} {ratio('torch'):>8} "
        f"{ms('plain'):>10} {ratio('plain'):>8}   {mib('lossbook')} / {mib('torch')} / {mib('plain')}"
    )


def summaries(rows):
    """One line per comparison: geometric mean and worst case of lossbook's time (and saved bytes) over the other's."""

    def line(label, pairs):
        if not pairs:
            return f"{label}: no losses"
        worst = max(pairs, key=lambda p: p[1])
        return f"{label}: geometric mean {_geomean([p[1] for p in pairs]):.2f}x, worst {worst[1]:.2f}x ({worst[0]}), over {len(pairs)} losses"

    lines = []
    for size in dict.fromkeys(r["size"] for r in rows):
        at = [r for r in rows if r["size"] == size]
        with_torch = [r for r in at if "torch" in r["time"]]
        lacking = [r for r in at if "torch" not in r["time"] and "plain" in r["time"]]
        lines.append(line(f"[{size}] time vs torch built-in", [(r["loss"], r["time"]["lossbook"] / r["time"]["torch"]) for r in with_torch]))
        lines.append(line(f"[{size}] time vs plain autograd, losses PyTorch lacks", [(r["loss"], r["time"]["lossbook"] / r["time"]["plain"]) for r in lacking]))

        def mem_ratio(r, other):
            return max(r["saved"]["lossbook"], SAVED_FLOOR) / max(r["saved"][other], SAVED_FLOOR)

        lines.append(line(f"[{size}] saved bytes vs plain autograd, losses PyTorch lacks", [(r["loss"], mem_ratio(r, "plain")) for r in lacking]))
        lines.append(line(f"[{size}] saved bytes vs torch built-in", [(r["loss"], mem_ratio(r, "torch")) for r in with_torch]))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, mps")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="benchmark only these losses (lossbook names)")
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["large", "small"])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per loss (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="discarded rounds per loss (default 3)")
    parser.add_argument("--min-batch", type=float, default=0.02, help="seconds of calls per timed batch (default 0.02)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1; 0 leaves torch's default)")
    parser.add_argument(
        "--release-memory", action="store_true", help="leave glibc's default of returning freed memory to the system (see keep_freed_memory)"
    )
    a = parser.parse_args(argv)
    run(a.only, a.sizes, a.device, a.rounds, a.warmup, a.min_batch, a.threads, keep_memory=not a.release_memory)


if __name__ == "__main__":
    main()
