"""The registry of losses: one entry per public loss function, checked by ``test_losses.py``.

One module per part of the book, in the package's layout: ``regression.py`` lists the losses of
``lossbook/losses/regression/``, ``classification.py`` those of ``lossbook/losses/classification/``, and so on for ``segmentation.py``,
``representation.py`` and ``structured.py``.
Adding a loss touches only its part's module; a public loss without an entry fails
``test_registry_is_complete``. An entry says how to call the loss, what to compare it with,
which options to cover and which bad inputs must raise (``_case.py``).
"""

from tests.registry import classification, regression, representation, segmentation, structured
from tests.registry._case import BadInput, LossCase, materialize

REGISTRY: tuple[LossCase, ...] = (
    regression.REGISTRY
    + classification.REGISTRY
    + segmentation.REGISTRY
    + representation.REGISTRY
    + structured.REGISTRY
)

__all__ = ["REGISTRY", "BadInput", "LossCase", "materialize"]
