"""The losses of the book, one module per chapter, mirroring :mod:`torch.nn.functional`.

Each function computes the element-wise loss with a ``torch.autograd.Function`` whose
``backward`` is the gradient derived in its chapter, then reduces it in
:mod:`lossbook.losses._reduction`. Each has a module class that holds its options.
"""

# Part II: regression (book/regression/)
from lossbook.losses.mse import MSELoss, mse_loss

# Part III: classification (book/classification/)

__all__ = [
    # regression
    "MSELoss",
    "mse_loss",
    # classification
]
