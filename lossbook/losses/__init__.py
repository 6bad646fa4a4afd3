"""The losses of the book, one sub-package per part and one module per chapter, mirroring :mod:`torch.nn.functional`.

Each function checks its arguments (``_validation.py``: types, shapes and options always;
values such as class indices on CPU tensors, with a device-side assert on accelerators and
nothing while ``torch.compile`` traces), then calls a ``torch.autograd.Function`` whose
``backward`` is the gradient derived in its chapter. The reduction happens inside that
Function: its ``forward`` reduces with ``_reduction.reduce``, so that ``'mean'`` and
``'sum'`` keep no per-element loss, and its ``backward`` multiplies the per-element
gradient by ``_reduction.grad_scale`` (1 for ``'sum'``, ``1/n`` or
``w_i / sum(w)`` for ``'mean'``). Each loss has a module class, built on
``_module._Loss``, that holds its options. ``benchmarks/run.py`` measures them against
PyTorch's built-ins and against the plain autograd composition of each formula.
"""

# Part II: regression (book/regression/)
from lossbook.losses.regression.huber import HuberLoss, SmoothL1Loss, huber_loss, smooth_l1_loss
from lossbook.losses.regression.log_cosh import LogCoshLoss, log_cosh_loss
from lossbook.losses.regression.mae import L1Loss, l1_loss
from lossbook.losses.regression.mse import MSELoss, mse_loss
from lossbook.losses.regression.probabilistic import (
    BetaNLLLoss,
    GaussianNLLLoss,
    PoissonNLLLoss,
    StudentTNLLLoss,
    beta_nll_loss,
    gaussian_nll_loss,
    poisson_nll_loss,
    student_t_nll_loss,
)
from lossbook.losses.regression.quantile import QuantileLoss, quantile_loss
from lossbook.losses.regression.robust import BarronLoss, barron_loss

# isort: split
# Part III: classification (book/classification/)
from lossbook.losses.classification.binary_cross_entropy import (
    BCELoss,
    BCEWithLogitsLoss,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from lossbook.losses.classification.cross_entropy import CrossEntropyLoss, NLLLoss, cross_entropy, nll_loss
from lossbook.losses.classification.focal import (
    FocalLoss,
    Poly1CrossEntropyLoss,
    SigmoidFocalLoss,
    focal_loss,
    poly1_cross_entropy,
    sigmoid_focal_loss,
)
from lossbook.losses.classification.hinge import (
    HingeLoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    SoftMarginLoss,
    hinge_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
)
from lossbook.losses.classification.kl_divergence import DistillationLoss, KLDivLoss, distillation_loss, kl_div
from lossbook.losses.classification.multi_label import AsymmetricLoss, asymmetric_loss

# isort: split
# Part IV: segmentation (book/segmentation/)
# [dice]
from lossbook.losses.segmentation.dice import DiceLoss, GeneralizedDiceLoss, dice_loss, generalized_dice_loss

# [tversky]
from lossbook.losses.segmentation.tversky import FocalTverskyLoss, TverskyLoss, focal_tversky_loss, tversky_loss

# isort: split
# [lovasz]
from lossbook.losses.segmentation.lovasz import (
    LovaszHingeLoss,
    LovaszSoftmaxLoss,
    lovasz_hinge_loss,
    lovasz_softmax_loss,
)

# isort: split
# Part V: representation learning (book/representation/)
# [pairwise]
from lossbook.losses.representation.pairwise import (
    ContrastiveLoss,
    CosineEmbeddingLoss,
    HingeEmbeddingLoss,
    contrastive_loss,
    cosine_embedding_loss,
    hinge_embedding_loss,
)

# isort: split
# [triplet]
from lossbook.losses.representation.triplet import (
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)

# isort: split
# [contrastive]
from lossbook.losses.representation.contrastive import InfoNCELoss, SupConLoss, info_nce_loss, supcon_loss

# isort: split
# [angular-margin]
from lossbook.losses.representation.angular_margin import ArcFaceLoss, CosFaceLoss, arcface_loss, cosface_loss

# isort: split
# Part VI: rankings and sequences (book/structured/)
# [pairwise-ranking]
from lossbook.losses.structured.pairwise_ranking import (
    LambdaLoss,
    MarginRankingLoss,
    RankNetLoss,
    lambda_loss,
    margin_ranking_loss,
    ranknet_loss,
)

# isort: split
# [listwise-ranking]
from lossbook.losses.structured.listwise_ranking import (
    ApproxNDCGLoss,
    ListMLELoss,
    ListNetLoss,
    approx_ndcg_loss,
    listmle_loss,
    listnet_loss,
)

# isort: split
# [ctc]
from lossbook.losses.structured.ctc import CTCLoss, ctc_loss

__all__ = [
    # regression
    "MSELoss",
    "mse_loss",
    "L1Loss",
    "l1_loss",
    "HuberLoss",
    "huber_loss",
    "SmoothL1Loss",
    "smooth_l1_loss",
    "LogCoshLoss",
    "log_cosh_loss",
    "QuantileLoss",
    "quantile_loss",
    "BarronLoss",
    "barron_loss",
    "GaussianNLLLoss",
    "gaussian_nll_loss",
    "PoissonNLLLoss",
    "poisson_nll_loss",
    "BetaNLLLoss",
    "beta_nll_loss",
    "StudentTNLLLoss",
    "student_t_nll_loss",
    # classification
    "BCELoss",
    "binary_cross_entropy",
    "BCEWithLogitsLoss",
    "binary_cross_entropy_with_logits",
    "CrossEntropyLoss",
    "cross_entropy",
    "NLLLoss",
    "nll_loss",
    "KLDivLoss",
    "kl_div",
    "DistillationLoss",
    "distillation_loss",
    "HingeLoss",
    "hinge_loss",
    "SoftMarginLoss",
    "soft_margin_loss",
    "MultiMarginLoss",
    "multi_margin_loss",
    "MultiLabelMarginLoss",
    "multilabel_margin_loss",
    "MultiLabelSoftMarginLoss",
    "multilabel_soft_margin_loss",
    "SigmoidFocalLoss",
    "sigmoid_focal_loss",
    "FocalLoss",
    "focal_loss",
    "Poly1CrossEntropyLoss",
    "poly1_cross_entropy",
    "AsymmetricLoss",
    "asymmetric_loss",
    # segmentation
    # [dice]
    "DiceLoss",
    "dice_loss",
    "GeneralizedDiceLoss",
    "generalized_dice_loss",
    # [tversky]
    "TverskyLoss",
    "tversky_loss",
    "FocalTverskyLoss",
    "focal_tversky_loss",
    # [lovasz]
    "LovaszHingeLoss",
    "lovasz_hinge_loss",
    "LovaszSoftmaxLoss",
    "lovasz_softmax_loss",
    # representation
    # [pairwise]
    "ContrastiveLoss",
    "CosineEmbeddingLoss",
    "HingeEmbeddingLoss",
    "contrastive_loss",
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    # [triplet]
    "TripletMarginLoss",
    "triplet_margin_loss",
    "TripletMarginWithDistanceLoss",
    "triplet_margin_with_distance_loss",
    # [contrastive]
    "InfoNCELoss",
    "info_nce_loss",
    "SupConLoss",
    "supcon_loss",
    # [angular-margin]
    "ArcFaceLoss",
    "arcface_loss",
    "CosFaceLoss",
    "cosface_loss",
    # structured
    # [pairwise-ranking]
    "MarginRankingLoss",
    "margin_ranking_loss",
    "RankNetLoss",
    "ranknet_loss",
    "LambdaLoss",
    "lambda_loss",
    # [listwise-ranking]
    "ListNetLoss",
    "listnet_loss",
    "ListMLELoss",
    "listmle_loss",
    "ApproxNDCGLoss",
    "approx_ndcg_loss",
    # [ctc]
    "CTCLoss",
    "ctc_loss",
]
