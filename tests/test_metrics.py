"""lossbook.metrics, on values computed by hand."""

import math

import pytest
import torch

from lossbook import metrics


def test_accuracy_binary_logits_and_multiclass():
    assert metrics.accuracy(torch.tensor([2.0, -1.0, 0.5, -0.2]), torch.tensor([1, 0, 0, 0])) == 0.75
    scores = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    assert metrics.accuracy(scores, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_precision_and_recall():
    # predicted positive: examples 0, 2; true positives: 0, 1 -> precision 1/2, recall 1/2
    scores, target = torch.tensor([1.0, -1.0, 2.0, -3.0]), torch.tensor([1, 1, 0, 0])
    assert metrics.precision(scores, target) == 0.5
    assert metrics.recall(scores, target) == 0.5
    assert metrics.precision(torch.full((4,), -1.0), target) == 0.0


def test_average_precision_by_hand():
    # ranking by score: pos, neg, pos, neg -> precisions at the hits 1/1 and 2/3 -> AP = (1 + 2/3) / 2
    scores, target = torch.tensor([0.9, 0.8, 0.7, 0.1]), torch.tensor([1, 0, 1, 0])
    assert metrics.average_precision(scores, target) == pytest.approx((1 + 2 / 3) / 2)
    assert metrics.average_precision(torch.tensor([4.0, 3.0, 2.0, 1.0]), torch.tensor([1, 1, 0, 0])) == 1.0


def test_expected_calibration_error_by_hand():
    # two bins used: confidences 0.9 (right) and 0.6 (wrong) -> ECE = 0.5 * 0.1 + 0.5 * 0.6
    p = torch.tensor([[0.9, 0.1], [0.4, 0.6]])
    assert metrics.expected_calibration_error(p, torch.tensor([0, 0]), bins=10) == pytest.approx(0.35)
    conf, acc, count = metrics.reliability(p, torch.tensor([0, 0]), bins=10)
    assert conf == pytest.approx([0.6, 0.9]) and acc == [0.0, 1.0] and count == [1, 1]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.accuracy(torch.zeros(3), torch.zeros(4)), r"accuracy: target shape \(4,\) does not match scores shape \(3,\)"),
        (lambda: metrics.recall(torch.zeros(3), torch.zeros(3, dtype=torch.long)), "recall: target holds no example of class 1"),
        (lambda: metrics.average_precision(torch.zeros(3, 2), torch.zeros(3)), "average_precision: binary scores must have shape"),
        (lambda: metrics.average_precision(torch.zeros(3), torch.tensor([0, 2, 1])), "average_precision: target must hold 0 and 1 only"),
        (lambda: metrics.expected_calibration_error(torch.ones(2, 2), torch.zeros(2)), "probabilities must be in"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_public_names_only():
    """dir() shows the metrics, not what the module imports (torch, annotations)."""
    names = set(dir(metrics))
    assert names == set(metrics.__all__)
    assert {"torch", "annotations"}.isdisjoint(names)
    assert all(callable(getattr(metrics, name)) for name in metrics.__all__)


def test_iou_by_hand_for_every_prediction_form():
    # target [0 1 1 0], predicted [0 1 0 0]: class 1 intersection 1, union 2; class 0: 2 of 3
    y = torch.tensor([[0, 1, 1, 0]])
    expected = [2 / 3, 1 / 2]
    assert metrics.iou(torch.tensor([[0, 1, 0, 0]]), y) == pytest.approx(expected)
    assert metrics.iou(torch.tensor([[[-1.0, 2.0, -3.0, -1.0]]]), y) == pytest.approx(expected)  # (N, 1, S) logits
    assert metrics.iou(torch.tensor([[0.1, 0.9, 0.2, 0.3]]), y, threshold=0.5) == pytest.approx(expected)  # (N, S)
    scores = torch.tensor([[[2.0, 0.0, 1.0, 3.0], [0.0, 1.0, 0.0, 0.0]]])  # (N, C, S): argmax [0 1 0 0]
    assert metrics.iou(scores, y) == pytest.approx(expected)


def test_iou_pooled_per_image_and_absent_classes():
    y = torch.tensor([[0, 1, 1, 1], [0, 0, 0, 0]])
    pred = torch.tensor([[0, 1, 1, 1], [0, 0, 0, 1]])
    # pooled: class 1 intersection 3, union 4; per image: 1.0 and 0.0 (the false positive) -> 0.5
    assert metrics.iou(pred, y)[1] == pytest.approx(3 / 4)
    assert metrics.iou(pred, y, per_image=True)[1] == pytest.approx(0.5)
    # an image where class 1 is neither predicted nor present is left out of the per-image mean
    assert metrics.iou(torch.tensor([[0, 1, 1, 1], [0, 0, 0, 0]]), y, per_image=True)[1] == 1.0
    # a class absent everywhere is nan
    out = metrics.iou(torch.zeros(2, 4, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long), n_classes=3)
    assert out[0] == 1.0 and math.isnan(out[1]) and math.isnan(out[2])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: metrics.iou(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long)), ValueError, "iou: prediction shape"),
        (lambda: metrics.iou(torch.zeros(2, 4), torch.zeros(2, 4)), TypeError, "iou: target must be an integer tensor"),
        (lambda: metrics.iou(torch.zeros(1, 4, dtype=torch.long), torch.tensor([[0, 1, 2, 3]]), n_classes=2), ValueError, r"outside \[0, 2\)"),
        (lambda: metrics.iou(torch.zeros(1, 3, 4), torch.zeros(1, 4, dtype=torch.long), n_classes=2), ValueError, "n_classes=2 does not match"),
    ],
)
def test_iou_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_recall_at_k_hand_computed():
    # points on a line: 0 and 0.1 (class 0), 1 and 1.2 (class 1), 5 (class 0)
    x = torch.tensor([[0.0], [0.1], [1.0], [1.2], [5.0]])
    y = torch.tensor([0, 0, 1, 1, 0])
    # nearest neighbours: 0.1, 0, 1.2, 1, 1.2 -> only the point at 5 misses (its neighbour is class 1)
    assert metrics.recall_at_k(x, y) == pytest.approx(4 / 5)
    # its 3 nearest are 1.2, 1 and 0.1: the third is class 0, a hit at k = 3
    assert metrics.recall_at_k(x, y, k=3) == 1.0
    # the L1 distance gives the same neighbours in one dimension
    assert metrics.recall_at_k(x, y, p=1.0) == pytest.approx(4 / 5)


def test_recall_at_k_excludes_self_and_counts_singletons_as_misses():
    x = torch.tensor([[0.0, 0.0], [3.0, 0.0], [3.0, 0.1]])
    # point 0 is alone in class 2: it is never its own neighbour, so it misses
    assert metrics.recall_at_k(x, torch.tensor([2, 1, 1])) == pytest.approx(2 / 3)
    # recall@k can only grow with k
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(40, 3, generator=g), torch.randint(0, 4, (40,), generator=g)
    values = [metrics.recall_at_k(x, y, k=k) for k in (1, 2, 5, 10)]
    assert values == sorted(values)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.recall_at_k(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long)), r"recall_at_k: labels shape \(3,\) does not match embeddings shape \(4, 2\)"),
        (lambda: metrics.recall_at_k(torch.zeros(4), torch.zeros(4, dtype=torch.long)), r"embeddings must be a floating-point tensor of shape \(n, D\)"),
        (lambda: metrics.recall_at_k(torch.zeros(4, 2), torch.zeros(4)), r"labels must be an integer tensor of shape \(n,\)"),
        (lambda: metrics.recall_at_k(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), k=4), r"k must be an int in \[1, n\) with n = 4"),
    ],
)
def test_recall_at_k_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_alignment_and_uniformity_values():
    # alignment: pairs at angle 90 degrees on the unit circle are sqrt(2) apart: ||.||^2 = 2; norms do not matter
    z1 = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
    z2 = torch.tensor([[0.0, 2.0], [0.0, 1.0]])
    assert metrics.alignment(z1, z2) == pytest.approx((2.0 + 0.0) / 2)
    assert metrics.alignment(z1, z2, alpha=1.0) == pytest.approx(math.sqrt(2) / 2)
    # uniformity: all points equal gives log 1 = 0; two antipodal points: log exp(-2 * 4)
    assert metrics.uniformity(torch.ones(5, 3)) == pytest.approx(0.0)
    assert metrics.uniformity(torch.tensor([[1.0, 0.0], [-1.0, 0.0]])) == pytest.approx(-8.0)
    # n evenly spaced points on the circle: E over i != j of exp(-2 |u_i - u_j|^2) = (n e^-4 I_0(4) - 1) / (n - 1)
    # (the mean over all n^2 pairs, self pairs included, is e^-4 I_0(4) for n > 8, to rounding)
    n = 2000
    angles = torch.linspace(0, 2 * math.pi, n + 1, dtype=torch.float64)[:-1]
    circle = torch.stack([angles.cos(), angles.sin()], dim=1)
    limit = math.exp(-4) * torch.special.i0(torch.tensor(4.0, dtype=torch.float64)).item()
    assert metrics.uniformity(circle) == pytest.approx(math.log((n * limit - 1) / (n - 1)), abs=1e-9)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metrics.alignment(torch.zeros(4, 2), torch.zeros(3, 2)), r"alignment: z2 shape \(3, 2\) does not match z1 shape \(4, 2\)"),
        (lambda: metrics.alignment(torch.zeros(4), torch.zeros(4)), r"alignment: z1 must be a floating-point tensor of shape \(n, D\)"),
        (lambda: metrics.uniformity(torch.zeros(1, 2)), r"uniformity: z must have at least 2 rows, got 1"),
        (lambda: metrics.uniformity(torch.zeros(3, 2), t=0.0), r"uniformity: t must be > 0, got 0.0"),
    ],
)
def test_alignment_uniformity_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ctc_greedy_decode_and_edit_distance():
    # frames 1 1 0 1 2 2 0 0 (0 the blank): repeats merge, a blank separates, blanks go: [1, 1, 2]
    path = torch.tensor([1, 1, 0, 1, 2, 2, 0, 0])
    scores = torch.nn.functional.one_hot(path, 3).double().view(8, 1, 3)
    assert metrics.ctc_greedy_decode(scores) == [[1, 1, 2]]
    assert metrics.ctc_greedy_decode(scores, [3]) == [[1]]
    assert metrics.ctc_greedy_decode(scores, blank=2) == [[1, 0, 1, 0]]
    assert metrics.edit_distance("kitten", "sitting") == 3  # two substitutions and an insertion
    assert metrics.edit_distance([], [1, 2]) == 2 and metrics.edit_distance([1, 2, 3], [1, 3]) == 1
    assert metrics.edit_distance([1, 2], [1, 2]) == 0
    with pytest.raises(ValueError, match="ctc_greedy_decode: input_lengths must hold 1 values in"):
        metrics.ctc_greedy_decode(scores, [9])


def test_ndcg_hand_computed():
    # list 1: ranks by score 1..3 hold relevance 0, 2, 1: DCG = 0 + 3/log2(3) + 1/log2(4),
    # IDCG = 3 + 1/log2(3); list 2 is ranked perfectly (NDCG 1)
    s = torch.tensor([[3.0, 2.0, 1.0], [0.5, 0.1, 0.2]])
    y = torch.tensor([[0.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    first = (3 / math.log2(3) + 1 / 2) / (3 + 1 / math.log2(3))
    assert math.isclose(metrics.ndcg(s[:1], y[:1]), first, rel_tol=1e-12)
    assert math.isclose(metrics.ndcg(s, y), (first + 1) / 2, rel_tol=1e-12)
    # @1: list 1's top item has no gain, list 2's is the best
    assert math.isclose(metrics.ndcg(s, y, k=1), 0.5, rel_tol=1e-12)
    # @2: DCG@2 = 3/log2(3), IDCG@2 = 3 + 1/log2(3)
    assert math.isclose(metrics.ndcg(s[:1], y[:1], k=2), (3 / math.log2(3)) / (3 + 1 / math.log2(3)), rel_tol=1e-12)
    assert math.isclose(metrics.ndcg(s, y, k=10), metrics.ndcg(s, y), rel_tol=1e-12)


def test_ndcg_ties_mask_and_lists_without_relevant_items():
    # tied scores: the earlier item ranks first, so [1, 0] relevance gets 1, [0, 1] gets 1/log2(3)
    tied = torch.zeros(1, 2)
    assert metrics.ndcg(tied, torch.tensor([[1.0, 0.0]])) == 1.0
    assert math.isclose(metrics.ndcg(tied, torch.tensor([[0.0, 1.0]])), 1 / math.log2(3), rel_tol=1e-12)
    # a masked item is neither ranked nor a gain, whatever its score and relevance
    s = torch.tensor([[9.0, 1.0, 2.0]])
    y = torch.tensor([[4.0, 1.0, 0.0]])
    mask = torch.tensor([[False, True, True]])
    assert math.isclose(metrics.ndcg(s, y, mask=mask), 1 / math.log2(3), rel_tol=1e-12)
    assert math.isclose(metrics.ndcg(s[:, 1:], y[:, 1:]), 1 / math.log2(3), rel_tol=1e-12)
    # a list with no relevant item is left out of the mean; all such: nan
    s2 = torch.cat([s, s])
    y2 = torch.cat([y, torch.zeros(1, 3)])
    assert metrics.ndcg(s2, y2) == metrics.ndcg(s, y)
    assert math.isnan(metrics.ndcg(s, torch.zeros(1, 3)))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: metrics.ndcg(torch.zeros(2, 3), torch.zeros(2, 4)), ValueError, r"ndcg: relevance shape \(2, 4\) does not match scores shape \(2, 3\)"),
        (lambda: metrics.ndcg(torch.zeros(3), torch.zeros(3)), ValueError, "ndcg: scores must be a floating-point tensor of shape"),
        (lambda: metrics.ndcg(torch.zeros(1, 2), -torch.ones(1, 2)), ValueError, "ndcg: relevance must be >= 0"),
        (lambda: metrics.ndcg(torch.zeros(1, 2), torch.zeros(1, 2), mask=torch.ones(1, 2)), TypeError, "ndcg: mask must be a boolean tensor"),
        (lambda: metrics.ndcg(torch.zeros(1, 2), torch.zeros(1, 2), mask=torch.ones(1, 3, dtype=torch.bool)), ValueError, "ndcg: mask shape"),
        (lambda: metrics.ndcg(torch.zeros(1, 2), torch.zeros(1, 2), k=0), ValueError, "ndcg: k must be None or an int >= 1"),
    ],
)
def test_ndcg_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
