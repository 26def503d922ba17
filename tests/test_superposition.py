"""Unit tests of saelib.superposition (chapter 16: superposition, recovered).

References are independent of saelib: MMCS and the cosine matrix are recomputed
with plain Python loops over columns (``math.sqrt`` norms, explicit dot
products); the data generator is checked against its defining statistics
(fraction of active entries, strengths in (0, 1], unit columns, ``X = codes F^T``)
and the closed form of the mean squared norm.
"""

import math

import numpy as np
import pytest

from saelib.superposition import (
    cosine_similarity_matrix,
    make_superposition_data,
    max_cosine_similarities,
    mmcs,
)


def column(A, j):
    return [float(A[i, j]) for i in range(A.shape[0])]


def cosine(u, v):
    dot = sum(a * b for a, b in zip(u, v, strict=True))
    return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v)))


def mmcs_loop(F, D, absolute=False):
    """Mean over the columns of F of the best cosine with any column of D."""
    best = []
    for i in range(F.shape[1]):
        values = [cosine(column(F, i), column(D, j)) for j in range(D.shape[1])]
        if absolute:
            values = [abs(v) for v in values]
        best.append(max(values))
    return sum(best) / len(best)


# --- the recovery measure -----------------------------------------------------------


@pytest.mark.parametrize("absolute", [False, True])
@pytest.mark.parametrize(("d", "n", "h"), [(1, 1, 1), (3, 5, 2), (4, 2, 7), (8, 6, 6)])
def test_mmcs_matches_loop_reference(d, n, h, absolute):
    rng = np.random.default_rng(d * 100 + n * 10 + h)
    F = rng.normal(size=(d, n)) * rng.uniform(0.5, 3, size=n)
    D = rng.normal(size=(d, h))
    assert mmcs(F, D, absolute=absolute) == pytest.approx(
        mmcs_loop(F, D, absolute), rel=1e-12, abs=1e-12
    )


def test_cosine_matrix_and_per_feature_values_match_loops():
    rng = np.random.default_rng(0)
    F, D = rng.normal(size=(5, 4)), rng.normal(size=(5, 6))
    C = cosine_similarity_matrix(F, D)
    assert C.shape == (4, 6)
    for i in range(4):
        for j in range(6):
            assert C[i, j] == pytest.approx(
                cosine(column(F, i), column(D, j)), abs=1e-12
            )
    best = max_cosine_similarities(F, D)
    assert best.shape == (4,)
    np.testing.assert_allclose(best, C.max(axis=1))
    assert mmcs(F, D) == pytest.approx(best.mean())
    assert isinstance(mmcs(F, D), float)


def test_mmcs_is_one_for_a_permuted_and_scaled_copy():
    rng = np.random.default_rng(1)
    F = rng.normal(size=(16, 40))
    D = F[:, rng.permutation(40)] * rng.uniform(0.01, 100, size=40)
    assert mmcs(F, D) == pytest.approx(1.0, abs=1e-12)
    # Extra atoms do not lower it.
    assert mmcs(F, np.hstack([D, rng.normal(size=(16, 10))])) == pytest.approx(1.0)


def test_mmcs_invariances():
    rng = np.random.default_rng(2)
    F, D = rng.normal(size=(6, 9)), rng.normal(size=(6, 12))
    value = mmcs(F, D)
    # order and positive scale of atoms and of features
    assert mmcs(F, D[:, ::-1] * 7.0) == pytest.approx(value, rel=1e-12)
    assert mmcs(F[:, ::-1] * 0.3, D) == pytest.approx(value, rel=1e-12)
    # a common rotation of the space
    Q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    assert mmcs(Q @ F, Q @ D) == pytest.approx(value, rel=1e-10)
    # duplicating atoms changes nothing
    assert mmcs(F, np.hstack([D, D])) == pytest.approx(value, rel=1e-12)


def test_signed_and_absolute_versions_differ_on_flipped_atoms():
    F = np.eye(3)
    assert mmcs(F, -F) == pytest.approx(0.0)  # best atom is orthogonal: cos 0
    assert mmcs(F, -F, absolute=True) == pytest.approx(1.0)
    assert mmcs(F[:, :1], -F[:, :1]) == pytest.approx(-1.0)
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(4, 5)), rng.normal(size=(4, 7))
    assert mmcs(A, B, absolute=True) >= mmcs(A, B)
    assert mmcs(A, B, absolute=True) == pytest.approx(mmcs(A, -B, absolute=True))


def test_mmcs_bounds_and_random_level():
    rng = np.random.default_rng(4)
    F = rng.normal(size=(32, 50))
    value = mmcs(F, rng.normal(size=(32, 256)))
    assert -1 <= value <= 1
    assert 0.35 < value < 0.65  # chance level for 256 atoms in 32 dimensions


@pytest.mark.parametrize(
    ("F", "D", "match"),
    [
        (np.ones((3, 2)), np.ones((4, 2)), "rows"),
        (np.ones(3), np.ones((3, 2)), "2-D"),
        (np.ones((3, 2)), np.ones((3, 0)), "non-empty"),
        (np.array([[1.0, 0.0], [0.0, 0.0]]), np.eye(2), "zero column"),
        (np.eye(2), np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN"),
        (np.eye(2), np.array([[1.0, np.inf], [0.0, 1.0]]), "NaN or inf"),
    ],
)
def test_mmcs_rejects_bad_input(F, D, match):
    with pytest.raises(ValueError, match=match):
        mmcs(F, D)


def test_mmcs_rejects_non_numeric_and_complex():
    with pytest.raises(TypeError, match="atoms"):
        mmcs(np.eye(2), np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(TypeError, match="true_features"):
        mmcs(np.eye(2) * 1j, np.eye(2))


# --- the data -------------------------------------------------------------------------


def test_data_shapes_and_definition():
    X, F, codes = make_superposition_data(20, 5, 300, 0.1, rng=0)
    assert X.shape == (300, 5) and F.shape == (5, 20) and codes.shape == (300, 20)
    np.testing.assert_allclose(np.linalg.norm(F, axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(X, codes @ F.T, rtol=1e-12, atol=1e-14)
    active = codes[codes != 0]
    assert np.all(active > 0) and np.all(active <= 1)


def test_data_statistics():
    n, d, m, p = 64, 16, 40_000, 0.05
    X, F, codes = make_superposition_data(n, d, m, p, rng=1)
    frac = np.mean(codes > 0)
    assert abs(frac - p) < 4 * math.sqrt(p * (1 - p) / (n * m))
    strengths = codes[codes > 0]
    assert abs(strengths.mean() - 0.5) < 0.01  # uniform on (0, 1]
    assert abs(np.mean(strengths**2) - 1 / 3) < 0.01
    gram = F.T @ F
    expected = n * p / 3 + p**2 / 4 * (gram.sum() - np.trace(gram))
    assert np.mean(np.sum(X**2, axis=1)) == pytest.approx(expected, rel=0.02)
    # pairwise cosines of random directions: variance 1 / d
    off = gram[np.triu_indices(n, k=1)]
    assert abs(np.mean(off**2) * d - 1) < 0.15


def test_per_feature_probabilities():
    p = np.zeros(10)
    p[:3] = [1.0, 0.5, 0.2]
    _, _, codes = make_superposition_data(10, 4, 20_000, p, rng=2)
    rates = np.mean(codes > 0, axis=0)
    assert rates[0] == 1.0 and np.all(rates[3:] == 0)
    assert abs(rates[1] - 0.5) < 0.02 and abs(rates[2] - 0.2) < 0.02


def test_probability_edge_values():
    X, _, codes = make_superposition_data(8, 3, 50, 0.0, rng=0)
    assert not np.any(codes) and not np.any(X)
    _, _, codes = make_superposition_data(8, 3, 50, 1, rng=0)
    assert np.all(codes > 0)


def test_data_is_reproducible_and_directions_come_first():
    a = make_superposition_data(12, 4, 30, 0.2, rng=5)
    b = make_superposition_data(12, 4, 30, 0.2, rng=np.random.default_rng(5))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    # Same seed, other probability or sample count: the same directions.
    c = make_superposition_data(12, 4, 99, 0.7, rng=5)
    np.testing.assert_array_equal(a[1], c[1])
    d = make_superposition_data(12, 4, 30, 0.2, rng=6)
    assert not np.array_equal(a[1], d[1])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(n_features=0), ValueError, "n_features"),
        (dict(n_dims=-1), ValueError, "n_dims"),
        (dict(n_samples=2.0), TypeError, "n_samples"),
        (dict(n_features=True), TypeError, "n_features"),
        (dict(feature_probability=1.5), ValueError, "feature_probability"),
        (dict(feature_probability=-0.1), ValueError, "feature_probability"),
        (dict(feature_probability=np.nan), ValueError, "feature_probability"),
        (dict(feature_probability=np.full(3, 0.1)), ValueError, "shape"),
        (dict(feature_probability=np.full((5, 1), 0.1)), ValueError, "shape"),
        (dict(feature_probability="0.1"), TypeError, "feature_probability"),
    ],
)
def test_data_rejects_bad_arguments(kwargs, error, match):
    arguments = dict(n_features=5, n_dims=3, n_samples=10, feature_probability=0.1)
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        make_superposition_data(**arguments)


# --- reliability (issue 12) ------------------------------------------------------


def test_data_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="rng must be an int seed >= 0"):
        make_superposition_data(5, 3, 10, 0.1, rng=-1)


@pytest.mark.parametrize("rng", ["0", True, 1.5])
def test_data_refuses_a_seed_that_is_not_an_int(rng):
    with pytest.raises(TypeError, match="rng must be an int seed"):
        make_superposition_data(5, 3, 10, 0.1, rng=rng)


@pytest.mark.parametrize("p", [True, np.array([True] * 5)])
def test_data_refuses_a_bool_feature_probability(p):
    with pytest.raises(TypeError, match="feature_probability"):
        make_superposition_data(5, 3, 10, p, rng=0)


@pytest.mark.parametrize("absolute", ["yes", 1, None])
def test_mmcs_refuses_absolute_that_is_not_a_bool(absolute):
    with pytest.raises(TypeError, match="absolute must be True or False"):
        mmcs(np.eye(2), np.eye(2), absolute)
    with pytest.raises(TypeError, match="absolute must be True or False"):
        max_cosine_similarities(np.eye(2), np.eye(2), absolute)


def test_cosines_refuse_complex_atoms():
    with pytest.raises(TypeError, match="atoms must hold real numbers.*complex"):
        cosine_similarity_matrix(np.eye(2), np.eye(2) + 1j)
