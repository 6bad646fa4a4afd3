"""The losses of the book, one module per chapter, mirroring :mod:`torch.nn.functional`.

Each function computes the element-wise loss with a ``torch.autograd.Function`` whose
``backward`` is the gradient derived in its chapter, then reduces it in
:mod:`lossbook.losses._reduction`. Each has a module class that holds its options.
"""

from lossbook.losses.mse import MSELoss, mse_loss

__all__ = [
    "MSELoss",
    "mse_loss",
]
