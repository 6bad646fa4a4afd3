"""Registry entries of Part VI, rankings and sequences (``lossbook/losses/structured/``, ``book/structured/``)."""

from __future__ import annotations

from tests.registry._case import LossCase

# --- pairwise-ranking.ipynb ---

PAIRWISE_RANKING: tuple[LossCase, ...] = ()


# --- listwise-ranking.ipynb ---

LISTWISE_RANKING: tuple[LossCase, ...] = ()


# --- ctc.ipynb ---

CTC: tuple[LossCase, ...] = ()


REGISTRY: tuple[LossCase, ...] = PAIRWISE_RANKING + LISTWISE_RANKING + CTC
