"""Registry entries of Part V, representation learning (``lossbook/losses/representation/``, ``book/representation/``)."""

from __future__ import annotations

from tests.registry._case import LossCase

# --- pairwise.ipynb ---

PAIRWISE: tuple[LossCase, ...] = ()


# --- triplet.ipynb ---

TRIPLET: tuple[LossCase, ...] = ()


# --- contrastive.ipynb ---

CONTRASTIVE: tuple[LossCase, ...] = ()


# --- angular-margin.ipynb ---

ANGULAR_MARGIN: tuple[LossCase, ...] = ()


REGISTRY: tuple[LossCase, ...] = PAIRWISE + TRIPLET + CONTRASTIVE + ANGULAR_MARGIN
