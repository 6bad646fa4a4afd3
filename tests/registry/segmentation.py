"""Registry entries of Part IV, segmentation (``lossbook/losses/segmentation/``, ``book/segmentation/``)."""

from __future__ import annotations

from tests.registry._case import LossCase

# --- dice.ipynb ---

DICE: tuple[LossCase, ...] = ()


# --- tversky.ipynb ---

TVERSKY: tuple[LossCase, ...] = ()


# --- lovasz.ipynb ---

LOVASZ: tuple[LossCase, ...] = ()


REGISTRY: tuple[LossCase, ...] = DICE + TVERSKY + LOVASZ
