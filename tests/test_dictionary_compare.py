"""Unit tests of saelib.dictionary_compare and saelib.edge_metrics.

Chapter 17 (four methods, the same patches) and chapter 15 (the edge-like rule).

References are independent of the module: plain-loop implementations of the count of
active coefficients (eq-ch17-l0) and of keeping the k largest coefficients (a sort of
each row in Python); chapter 15's ``l0`` as a second implementation of the case
``threshold=0``; a percentile computed by hand from sorted scores for chapter 7's
edge-like rule; and patterns whose scores are known (a single pixel is not oriented,
a small bar is localized and oriented). The fraction of variance unexplained is
chapter 15's (tested in test_sae_metrics.py); the two properties of it that chapter
17 relies on are tested here: invariance to a common shift (the autoencoder's
[0.1, 0.9] patches against the others' centred ones) and PCA's closed form
eq-ch17-pca-fvu.
"""

import math

import numpy as np
import pytest

from saelib.dictionary_compare import keep_largest, mean_l0
from saelib.edge_metrics import edge_thresholds, is_edge_like
from saelib.filter_metrics import localization, orientation_selectivity
from saelib.sae_metrics import fraction_variance_unexplained, l0

# --- loop references ---------------------------------------------------------------


def keep_largest_loops(codes, k, weights):
    """For each row, keep the k entries with largest |c * w| (ties: lower index)."""
    out = []
    for row in codes:
        ranked = sorted(range(len(row)), key=lambda j: (-abs(row[j] * weights[j]), j))
        keep = set(ranked[:k])
        out.append([row[j] if j in keep else 0.0 for j in range(len(row))])
    return np.array(out)


def percentile_by_hand(values, q):
    """Linear-interpolation percentile (numpy's default), from the sorted values."""
    v = sorted(float(x) for x in values)
    pos = (len(v) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


# --- chapter 15's fraction_variance_unexplained, as chapter 17 uses it -------------


def test_fvu_known_values_and_shift_invariance():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 4))
    assert fraction_variance_unexplained(X, X) == 0.0
    mean = np.broadcast_to(X.mean(axis=0), X.shape)
    assert fraction_variance_unexplained(X, mean) == pytest.approx(1.0, rel=1e-14)
    X_hat = X + rng.normal(size=X.shape)
    shift = rng.normal(size=4)
    assert fraction_variance_unexplained(X + shift, X_hat + shift) == pytest.approx(
        fraction_variance_unexplained(X, X_hat), rel=1e-12
    )
    # Scaling the data and the reconstructions together changes nothing either.
    assert fraction_variance_unexplained(3 * X, 3 * X_hat) == pytest.approx(
        fraction_variance_unexplained(X, X_hat), rel=1e-12
    )


def test_fvu_of_pca_is_the_discarded_eigenvalues():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6))
    Xc = X - X.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(Xc.T @ Xc)
    for k in range(1, 6):
        V = eigenvectors[:, -k:]  # the k largest
        X_hat = X.mean(axis=0) + Xc @ V @ V.T
        expected = eigenvalues[:-k].sum() / eigenvalues.sum()
        assert fraction_variance_unexplained(X, X_hat) == pytest.approx(
            expected, rel=1e-10
        )


# --- mean_l0 -----------------------------------------------------------------------


def test_mean_l0_matches_loops():
    rng = np.random.default_rng(3)
    codes = rng.normal(size=(50, 9)) * (rng.random((50, 9)) < 0.3)
    for threshold in (0.0, 0.1, 0.5, 10.0):
        expected = sum(sum(abs(c) > threshold for c in row) for row in codes) / 50
        assert mean_l0(codes, threshold) == pytest.approx(expected, rel=1e-15)
    assert mean_l0(codes) == l0(codes)  # threshold 0 is chapter 15's l0
    assert mean_l0(np.zeros((4, 3))) == 0.0
    assert mean_l0(np.full((4, 3), -2.0), threshold=2.0) == 0.0  # strictly above


def test_mean_l0_rejects_bad_input():
    for bad in (-0.1, np.nan, np.inf):
        with pytest.raises(ValueError, match="threshold"):
            mean_l0(np.ones((2, 2)), bad)
    with pytest.raises(ValueError, match="codes must be a non-empty 2-D"):
        mean_l0(np.ones(3))
    with pytest.raises(ValueError, match="codes contains .*NaN"):
        mean_l0(np.array([[1.0, np.nan]]))
    with pytest.raises(TypeError, match="real numbers"):
        mean_l0(np.ones((2, 2), dtype=complex))


# --- keep_largest ------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 3, 6])
def test_keep_largest_matches_loops(k):
    rng = np.random.default_rng(4 + k)
    codes = rng.normal(size=(20, 6))
    weights = rng.random(6) * 3
    for w in (np.ones(6), weights):
        expected = keep_largest_loops(codes.tolist(), k, w.tolist())
        np.testing.assert_array_equal(keep_largest(codes, k, weights=w), expected)
    result = keep_largest(codes, k)
    assert np.all(np.count_nonzero(result, axis=1) == k)


def test_keep_largest_ties_and_copy():
    codes = np.array([[1.0, -1.0, 1.0, 0.5]])
    np.testing.assert_array_equal(keep_largest(codes, 2), [[1.0, -1.0, 0.0, 0.0]])
    before = codes.copy()
    keep_largest(codes, 1)
    np.testing.assert_array_equal(codes, before)  # the input is not modified


def test_keep_largest_rejects_bad_input():
    codes = np.ones((2, 3))
    for bad in (-1, 4):
        with pytest.raises(ValueError, match="k must be"):
            keep_largest(codes, bad)
    with pytest.raises(ValueError, match="weights must be 3"):
        keep_largest(codes, 1, weights=np.ones(2))
    with pytest.raises(ValueError, match="non-negative"):
        keep_largest(codes, 1, weights=np.array([1.0, -1.0, 1.0]))


# --- edge_thresholds and is_edge_like ----------------------------------------------


def test_edge_thresholds_are_chapter7_percentiles():
    rng = np.random.default_rng(5)
    random_filters = rng.normal(size=(64, 25))
    baseline = rng.normal(size=(64, 10)).cumsum(axis=0)  # smooth-ish, another family
    L_pool = list(localization(random_filters)) + list(localization(baseline))
    O_random = list(orientation_selectivity(random_filters))
    for q in (95.0, 50.0, 100.0):
        L_threshold, O_threshold = edge_thresholds(
            random_filters, baseline, percentile=q
        )
        assert L_threshold == pytest.approx(percentile_by_hand(L_pool, q), abs=1e-12)
        assert O_threshold == pytest.approx(percentile_by_hand(O_random, q), abs=1e-12)
        assert isinstance(L_threshold, float) and isinstance(O_threshold, float)


def test_is_edge_like_on_known_patterns():
    u, v = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    dot = ((u == 3) & (v == 4)).astype(float)  # localized, not oriented
    grating = np.cos(2 * np.pi * v / 4)  # oriented, not localized
    bar = np.exp(-((u - 3.5) ** 2) / 8 - ((v - 3.5) ** 2) / 0.5) * np.sign(v - 3.5)
    filters = np.stack([p.ravel() for p in (dot, grating, bar)], axis=1)
    np.testing.assert_array_equal(is_edge_like(filters, 0.1, 0.2), [False, False, True])
    # The rule is "strictly above both thresholds".
    loc, ori = localization(filters), orientation_selectivity(filters)
    assert not is_edge_like(filters[:, 2:], float(loc[2]), 0.0)[0]
    assert not is_edge_like(filters[:, 2:], 0.0, float(ori[2]))[0]


def test_edge_rule_rejects_bad_input():
    filters = np.random.default_rng(6).normal(size=(16, 3))
    with pytest.raises(ValueError, match="percentile"):
        edge_thresholds(filters, filters, percentile=101)
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="L_threshold"):
            is_edge_like(filters, bad, 0.1)
    with pytest.raises(ValueError, match="O_threshold"):
        is_edge_like(filters, 0.1, np.inf)
    with pytest.raises(ValueError, match="square"):
        is_edge_like(np.ones((15, 2)), 0.1, 0.1)


# --- reliability (issue 12): wrong types are TypeErrors naming the argument --------


@pytest.mark.parametrize("threshold", ["0", True, [0.1], None])
def test_mean_l0_refuses_a_threshold_that_is_not_a_number(threshold):
    with pytest.raises(TypeError, match="threshold must be a real number"):
        mean_l0(np.ones((2, 2)), threshold)


@pytest.mark.parametrize("k", [1.5, True, "1"])
def test_keep_largest_refuses_k_that_is_not_an_int(k):
    with pytest.raises(TypeError, match="k must be an int"):
        keep_largest(np.ones((2, 3)), k)


def test_keep_largest_refuses_complex_codes_or_weights():
    with pytest.raises(TypeError, match="codes must hold real numbers"):
        keep_largest(np.ones((2, 3)) + 0j, 1)
    with pytest.raises(TypeError, match="weights must hold real numbers"):
        keep_largest(np.ones((2, 3)), 1, weights=np.ones(3) + 0j)
    with pytest.raises(TypeError, match="weights must"):
        keep_largest(np.ones((2, 3)), 1, weights=["a", "b", "c"])


@pytest.mark.parametrize("percentile", ["95", True, None])
def test_edge_thresholds_refuse_a_percentile_that_is_not_a_number(percentile):
    filters = np.random.default_rng(6).normal(size=(16, 3))
    with pytest.raises(TypeError, match="percentile must be a real number"):
        edge_thresholds(filters, filters, percentile=percentile)


@pytest.mark.parametrize("value", ["0", True, [0.1], None])
def test_is_edge_like_refuses_thresholds_that_are_not_numbers(value):
    filters = np.random.default_rng(6).normal(size=(16, 3))
    with pytest.raises(TypeError, match="L_threshold must be a real number"):
        is_edge_like(filters, value, 0.1)
    with pytest.raises(TypeError, match="O_threshold must be a real number"):
        is_edge_like(filters, 0.1, value)


def test_edge_rule_refuses_complex_filters():
    filters = np.random.default_rng(6).normal(size=(16, 3))
    with pytest.raises(TypeError, match="complex"):
        edge_thresholds(filters + 0j, filters)
    with pytest.raises(TypeError, match="complex"):
        is_edge_like(filters + 0j, 0.1, 0.1)
