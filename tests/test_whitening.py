"""Unit tests of saelib.whitening (chapter 10: PCA and whitening).

References are independent of saelib: ``numpy.cov`` for the covariance,
scikit-learn's ``PCA`` (explained variances, components up to sign, its own
whitening and its choice of the number of components), ``scipy.linalg``'s
fractional matrix power for ``(Sigma + epsilon I)^(-1/2)``, the closed forms of a
2 x 2 covariance, plain loops, and the defining properties: identity covariance,
exact round trips, and ZCA's minimal distance among all rotations of it.
"""

import math

import numpy as np
import pytest
from scipy.linalg import fractional_matrix_power
from sklearn.decomposition import PCA

from saelib.whitening import (
    PCAResult,
    Whitening,
    n_components_for_variance,
    pca,
    pca_whiten,
    remove_patch_mean,
    zca_whiten,
)

# (n_features, m_examples): more examples than features, so the covariance has
# full rank; includes n = 1 and m only three times n.
SHAPES = [(1, 5), (2, 50), (5, 40), (12, 300), (30, 90)]


def correlated_data(n, m, seed):
    """Gaussian data with a random covariance, a nonzero mean and spread variances."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(n, n)) * np.geomspace(3.0, 0.1, n)
    return mixing @ rng.normal(size=(n, m)) + rng.normal(scale=5.0, size=(n, 1))


def covariance(Y):
    """Covariance with the factor 1/m, from numpy."""
    return np.atleast_2d(np.cov(Y, bias=True))


def align_signs(A, B):
    """Flip the columns of A to match the signs of the columns of B."""
    signs = np.sign(np.sum(A * B, axis=0))
    return A * signs


# --- pca ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_pca_diagonalizes_numpy_covariance(n, m):
    X = correlated_data(n, m, seed=n * 1000 + m)
    fit = pca(X)
    assert isinstance(fit, PCAResult)
    assert fit.mean.shape == (n, 1) and fit.components.shape == (n, n)
    assert fit.variances.shape == (n,)
    np.testing.assert_allclose(fit.mean[:, 0], X.mean(axis=1), rtol=1e-12, atol=1e-12)
    Sigma = covariance(X)
    scale = np.abs(Sigma).max()
    np.testing.assert_allclose(
        Sigma @ fit.components, fit.components * fit.variances, atol=1e-10 * scale
    )
    np.testing.assert_allclose(fit.components.T @ fit.components, np.eye(n), atol=1e-12)
    assert np.all(np.diff(fit.variances) <= 0) and np.all(fit.variances >= 0)
    np.testing.assert_allclose(fit.variances.sum(), np.trace(Sigma), rtol=1e-10)


@pytest.mark.parametrize(("n", "m"), SHAPES[1:])
def test_pca_matches_sklearn(n, m):
    X = correlated_data(n, m, seed=7 + n)
    fit = pca(X)
    reference = PCA(svd_solver="full").fit(X.T)  # sklearn: (samples, features), 1/(m-1)
    # Forming the covariance costs accuracy on tiny variances: absolute tolerance.
    np.testing.assert_allclose(
        fit.variances,
        reference.explained_variance_ * (m - 1) / m,
        rtol=1e-9,
        atol=1e-12 * fit.variances[0],
    )
    components = reference.components_.T
    np.testing.assert_allclose(
        align_signs(fit.components, components), components, atol=1e-6
    )


def test_pca_sign_convention_and_reproducibility():
    X = correlated_data(8, 100, seed=3)
    fit = pca(X)
    largest = fit.components[np.argmax(np.abs(fit.components), axis=0), np.arange(8)]
    assert np.all(largest > 0)
    again = pca(X.copy())
    np.testing.assert_array_equal(fit.components, again.components)
    # Flipping the sign of the data does not flip the components.
    flipped = pca(-X)
    np.testing.assert_allclose(flipped.components, fit.components, atol=1e-10)


def test_pca_rotation_decorrelates_and_reconstruction_error_is_discarded_variance():
    n, m = 10, 400
    X = correlated_data(n, m, seed=11)
    fit = pca(X)
    X_rot = fit.transform(X)
    np.testing.assert_allclose(
        covariance(X_rot), np.diag(fit.variances), atol=1e-10 * fit.variances[0]
    )
    np.testing.assert_allclose(fit.inverse_transform(X_rot), X, atol=1e-10)
    for k in (1, 4, 9):
        X_hat = fit.inverse_transform(fit.transform(X, k))
        error = np.sum((X - X_hat) ** 2) / m
        assert error == pytest.approx(fit.variances[k:].sum(), rel=1e-9)
        reference = PCA(n_components=k, svd_solver="full").fit(X.T)
        np.testing.assert_allclose(
            X_hat, reference.inverse_transform(reference.transform(X.T)).T, atol=1e-9
        )


def test_pca_of_constant_data_has_zero_variances():
    fit = pca(np.full((3, 6), 2.5))
    np.testing.assert_array_equal(fit.variances, np.zeros(3))
    np.testing.assert_allclose(fit.components.T @ fit.components, np.eye(3))


# --- n_components_for_variance -----------------------------------------------------


def k_loop(variances, retain):
    """Smallest k with sum(variances[:k]) >= retain * total, by a plain loop."""
    total = math.fsum(variances)
    for k in range(1, len(variances) + 1):
        if math.fsum(variances[:k]) >= retain * total:
            return k
    return len(variances)


@pytest.mark.parametrize("retain", [0.1, 0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("seed", range(4))
def test_n_components_matches_loop_and_sklearn(retain, seed):
    X = correlated_data(20, 500, seed=seed)
    variances = pca(X).variances
    k = n_components_for_variance(variances, retain)
    assert isinstance(k, int)
    assert k == k_loop(list(variances), retain)
    assert k == PCA(n_components=retain, svd_solver="full").fit(X.T).n_components_


def test_n_components_edge_cases():
    assert n_components_for_variance([3.0, 2.0, 1.0], 1.0) == 3
    assert n_components_for_variance([3.0, 2.0, 0.0], 1.0) == 2
    assert n_components_for_variance([5.0], 0.5) == 1
    assert n_components_for_variance([1.0, 1.0, 1.0, 1.0], 0.5) == 2
    assert n_components_for_variance(np.array([4, 3, 2, 1]), 0.71) == 3


@pytest.mark.parametrize(
    ("variances", "retain", "match"),
    [
        ([3.0, 2.0], 0.0, "retain"),
        ([3.0, 2.0], 1.5, "retain"),
        ([3.0, 2.0], -0.1, "retain"),
        ([1.0, 2.0], 0.9, "decreasing"),
        ([3.0, -1.0], 0.9, ">= 0"),
        ([3.0, np.nan], 0.9, "finite"),
        ([0.0, 0.0], 0.9, "zero"),
        ([], 0.9, "non-empty"),
        ([[3.0, 2.0]], 0.9, "1-D"),
    ],
)
def test_n_components_rejects_bad_input(variances, retain, match):
    with pytest.raises(ValueError, match=match):
        n_components_for_variance(variances, retain)


# --- PCA whitening -----------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_pca_whitening_gives_identity_covariance_and_round_trip(n, m):
    X = correlated_data(n, m, seed=2 * n + m)
    X_white, whitening = pca_whiten(X)
    assert isinstance(whitening, Whitening)
    assert X_white.shape == (n, m) and whitening.matrix.shape == (n, n)
    assert whitening.inverse.shape == (n, n) and whitening.mean.shape == (n, 1)
    np.testing.assert_allclose(covariance(X_white), np.eye(n), atol=1e-9)
    np.testing.assert_allclose(whitening.inverse_transform(X_white), X, atol=1e-9)
    np.testing.assert_allclose(whitening.transform(X), X_white, rtol=0, atol=0)


def test_pca_whitening_matches_sklearn_whiten():
    n, m = 12, 500
    X = correlated_data(n, m, seed=5)
    k = 7
    X_white, whitening = pca_whiten(X, k=k)
    reference = PCA(n_components=k, whiten=True, svd_solver="full").fit(X.T)
    expected = reference.transform(X.T).T * np.sqrt(m / (m - 1))  # 1/m against 1/(m-1)
    signs = np.sign(np.sum(X_white * expected, axis=1, keepdims=True))
    np.testing.assert_allclose(X_white * signs, expected, atol=1e-9)
    # With k < n the inverse is the projection on the k components.
    X_hat = whitening.inverse_transform(X_white)
    np.testing.assert_allclose(
        X_hat, reference.inverse_transform(reference.transform(X.T)).T, atol=1e-9
    )


@pytest.mark.parametrize("epsilon", [1e-3, 0.1, 1.0, 10.0])
def test_pca_whitening_with_epsilon_shrinks_each_variance(epsilon):
    X = correlated_data(9, 300, seed=8)
    variances = np.linalg.eigvalsh(covariance(X))[::-1]
    X_white, _ = pca_whiten(X, epsilon=epsilon)
    np.testing.assert_allclose(
        covariance(X_white), np.diag(variances / (variances + epsilon)), atol=1e-10
    )


def test_whitening_applies_to_new_data():
    X = correlated_data(6, 200, seed=9)
    new = correlated_data(6, 17, seed=10)
    for _, whitening in (pca_whiten(X, k=4, epsilon=0.2), zca_whiten(X, epsilon=0.2)):
        expected = whitening.matrix @ (new - X.mean(axis=1, keepdims=True))
        np.testing.assert_allclose(whitening.transform(new), expected, atol=1e-12)


# --- ZCA whitening -----------------------------------------------------------------


@pytest.mark.parametrize("epsilon", [0.0, 0.01, 0.1, 1.0])
@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_zca_matrix_is_inverse_square_root_from_scipy(n, m, epsilon):
    X = correlated_data(n, m, seed=n + 3 * m)
    X_white, whitening = zca_whiten(X, epsilon=epsilon)
    expected = np.real(
        fractional_matrix_power(covariance(X) + epsilon * np.eye(n), -0.5)
    )
    np.testing.assert_allclose(whitening.matrix, expected, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(whitening.matrix, whitening.matrix.T, atol=1e-10)
    np.testing.assert_allclose(
        whitening.inverse @ whitening.matrix, np.eye(n), atol=1e-9
    )
    np.testing.assert_allclose(whitening.inverse_transform(X_white), X, atol=1e-8)
    if epsilon == 0:
        np.testing.assert_allclose(covariance(X_white), np.eye(n), atol=1e-9)


def test_zca_two_by_two_closed_form():
    # Sigma = [[a, b], [b, a]]: ZCA = 1/2 [[p + q, p - q], [p - q, p + q]].
    a, b = 2.0, 1.5
    root = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(2, 1000))
    Z = np.linalg.cholesky(np.linalg.inv(covariance(Z))).T @ (
        Z - Z.mean(axis=1, keepdims=True)
    )
    # Z now has covariance exactly I; give it covariance [[a, b], [b, a]].
    X = root @ np.diag(np.sqrt([a + b, a - b])) @ root.T @ Z
    np.testing.assert_allclose(covariance(X), [[a, b], [b, a]], atol=1e-12)
    p, q = 1 / np.sqrt(a + b), 1 / np.sqrt(a - b)
    _, whitening = zca_whiten(X, epsilon=0.0)
    np.testing.assert_allclose(
        whitening.matrix, 0.5 * np.array([[p + q, p - q], [p - q, p + q]]), atol=1e-12
    )


def test_zca_is_the_whitening_closest_to_the_data():
    n, m = 8, 400
    X = correlated_data(n, m, seed=12)
    X0 = X - X.mean(axis=1, keepdims=True)
    X_zca, _ = zca_whiten(X, epsilon=0.0)
    X_pca, _ = pca_whiten(X)
    distance_zca = np.sum((X_zca - X0) ** 2)
    assert distance_zca < np.sum((X_pca - X0) ** 2)
    rng = np.random.default_rng(13)
    for _ in range(50):
        Q, R = np.linalg.qr(rng.normal(size=(n, n)))
        rotated = (Q * np.sign(np.diag(R))) @ X_zca
        np.testing.assert_allclose(covariance(rotated), np.eye(n), atol=1e-9)
        assert distance_zca < np.sum((rotated - X0) ** 2)


def test_epsilon_is_in_units_of_the_variance():
    X = correlated_data(6, 200, seed=14)
    c = 255.0
    X_white, _ = zca_whiten(X, epsilon=0.1)
    X_scaled_white, _ = zca_whiten(c * X, epsilon=0.1 * c**2)
    np.testing.assert_allclose(X_scaled_white, X_white, atol=1e-9)


# --- patch means and singular covariances ------------------------------------------


def test_remove_patch_mean_matches_loop():
    patches = np.random.default_rng(15).uniform(size=(9, 6))
    result = remove_patch_mean(patches)
    for i in range(6):
        column = [float(v) for v in patches[:, i]]
        mean = math.fsum(column) / len(column)
        np.testing.assert_allclose(result[:, i], [v - mean for v in column], atol=1e-15)
    np.testing.assert_allclose(result.sum(axis=0), 0, atol=1e-14)


def test_singular_covariance_needs_epsilon_or_fewer_components():
    X = remove_patch_mean(correlated_data(6, 100, seed=16))  # rank 5: 1^T x = 0
    with pytest.raises(ValueError, match="singular"):
        zca_whiten(X, epsilon=0.0)
    with pytest.raises(ValueError, match="singular"):
        pca_whiten(X)
    X_white, _ = pca_whiten(X, k=5)  # dropping the zero direction works
    np.testing.assert_allclose(covariance(X_white), np.eye(5), atol=1e-9)
    X_zca, _ = zca_whiten(X, epsilon=0.1)  # and so does epsilon > 0
    assert np.all(np.isfinite(X_zca))
    with pytest.raises(ValueError, match="singular"):
        zca_whiten(np.ones((3, 4)), epsilon=0.0)


def test_fewer_examples_than_features_is_rank_deficient():
    # m = 4 centred examples span at most 3 dimensions of R^10.
    X = correlated_data(10, 4, seed=20)
    fit = pca(X)
    assert np.all(fit.variances[:3] > 1e-3 * fit.variances[0])
    np.testing.assert_allclose(fit.variances[3:], 0, atol=1e-12 * fit.variances[0])
    with pytest.raises(ValueError, match="7 of the variances"):
        zca_whiten(X, epsilon=0.0)
    X_white, _ = pca_whiten(X, k=3)
    np.testing.assert_allclose(covariance(X_white), np.eye(3), atol=1e-9)
    X_zca, whitening = zca_whiten(X, epsilon=0.5)
    expected = np.real(fractional_matrix_power(covariance(X) + 0.5 * np.eye(10), -0.5))
    np.testing.assert_allclose(whitening.matrix, expected, atol=1e-9)


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.ones(5), ValueError, "2-D"),
        (np.ones((2, 3, 4)), ValueError, "2-D"),
        (np.ones((3, 1)), ValueError, "2 examples"),
        (np.ones((0, 5)), ValueError, "1 feature"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), ValueError, "NaN or inf"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ValueError, "NaN or inf"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "real numbers"),
        (np.ones((2, 3), dtype=complex), TypeError, "real numbers"),
        (np.array([[1.0, "a"], [2.0, 3.0]], dtype=object), TypeError, "real numbers"),
    ],
)
@pytest.mark.parametrize(
    "function",
    [pca, pca_whiten, zca_whiten],
    ids=["pca", "pca_whiten", "zca_whiten"],
)
def test_bad_data_is_rejected(function, X, error, match):
    with pytest.raises(error, match=match):
        function(X)


@pytest.mark.parametrize("epsilon", [-0.1, np.nan, np.inf])
def test_bad_epsilon_is_rejected(epsilon):
    X = correlated_data(3, 20, seed=17)
    with pytest.raises(ValueError, match="epsilon"):
        zca_whiten(X, epsilon=epsilon)
    with pytest.raises(ValueError, match="epsilon"):
        pca_whiten(X, epsilon=epsilon)


@pytest.mark.parametrize("k", [0, 4, -1])
def test_bad_k_is_rejected(k):
    X = correlated_data(3, 20, seed=18)
    with pytest.raises(ValueError, match="k must be"):
        pca_whiten(X, k=k)
    with pytest.raises(ValueError, match="k must be"):
        pca(X).transform(X, k)


def test_transforms_check_shapes():
    X = correlated_data(4, 30, seed=19)
    _, whitening = pca_whiten(X, k=2)
    with pytest.raises(ValueError, match=r"shape \(4, m\)"):
        whitening.transform(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"shape \(2, m\)"):
        whitening.inverse_transform(np.ones((4, 5)))
    with pytest.raises(ValueError, match="NaN or inf"):
        whitening.transform(np.full((4, 2), np.nan))
    fit = pca(X)
    with pytest.raises(ValueError, match="Y must have shape"):
        fit.inverse_transform(np.ones((5, 2)))
    with pytest.raises(ValueError, match="patches must not be empty"):
        remove_patch_mean(np.ones((0, 3)))


# --- reliability (issue 12): a wrong type is a TypeError naming the argument -------


@pytest.mark.parametrize("retain", [True, "0.9", None])
def test_n_components_refuses_retain_that_is_not_a_number(retain):
    with pytest.raises(TypeError, match="retain must be a real number"):
        n_components_for_variance([3.0, 2.0], retain)


def test_n_components_refuses_complex_variances():
    with pytest.raises(TypeError, match="complex"):
        n_components_for_variance(np.array([3.0, 2.0]) + 0j)


@pytest.mark.parametrize("epsilon", ["0.1", None, True, [0.1]])
def test_whitening_refuses_epsilon_that_is_not_a_number(epsilon):
    X = correlated_data(3, 20, seed=17)
    with pytest.raises(TypeError, match="epsilon must be a real number"):
        zca_whiten(X, epsilon=epsilon)
    with pytest.raises(TypeError, match="epsilon must be a real number"):
        pca_whiten(X, epsilon=epsilon)


@pytest.mark.parametrize("k", [1.5, True, "2", 2.0])
def test_whitening_refuses_k_that_is_not_an_int(k):
    X = correlated_data(3, 20, seed=18)
    with pytest.raises(TypeError, match="k must be an int"):
        pca_whiten(X, k=k)
    with pytest.raises(TypeError, match="k must be an int"):
        pca(X).transform(X, k)


def test_whitening_treats_boolean_data_as_zeros_and_ones_like_the_rest_of_saelib():
    X = np.random.default_rng(3).random((3, 20)) > 0.5
    np.testing.assert_array_equal(pca(X).mean, pca(X.astype(float)).mean)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_fitted_transforms_refuse_complex_data(method):
    X = correlated_data(3, 20, seed=20)
    for fitted in (pca(X), zca_whiten(X)[1]):
        with pytest.raises(TypeError, match="complex"):
            getattr(fitted, method)(X + 1j)
