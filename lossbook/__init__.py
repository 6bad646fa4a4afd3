"""lossbook: loss functions, derived, implemented and verified. The package of the book.

    >>> import lossbook
    >>> device = lossbook.setup(seed=0)      # seeds everything, picks CUDA, MPS or CPU
    >>> from lossbook.losses import mse_loss  # drop-in for torch.nn.functional.mse_loss
"""

import importlib

from lossbook import data, gradcheck, losses, metrics, optim, train
from lossbook.train import History, device, fit, setup

__version__ = "0.1.0"

__all__ = [
    "History",
    "__version__",
    "data",
    "device",
    "fit",
    "gradcheck",
    "losses",
    "metrics",
    "optim",
    "plot",
    "setup",
    "train",
]


def __getattr__(name: str):
    # lossbook.plot, and with it matplotlib, is imported when first used, not by `import lossbook`
    if name == "plot":
        return importlib.import_module("lossbook.plot")
    raise AttributeError(f"module 'lossbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
