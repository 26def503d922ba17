"""Unit tests of saelib.toy_models (chapter 19: superposition, learned).

References are independent of saelib: the loss is recomputed with plain Python loops
over examples, features and hidden units, following ``x' = ReLU(W^T W x + b)`` and
the importance-weighted squared error literally; the gradient is checked against a
central difference written here (not chapter 3's); a two-feature case is computed by
hand; the feature dimensionality is recomputed from its definition with loops and
checked on shapes with known values (orthogonal, antipodal, regular polygons); the
data generator is checked against its defining statistics.
"""

import math

import numpy as np
import pytest

from saelib.toy_models import (
    feature_dimensionality,
    sparse_features,
    tms_forward,
    tms_hidden,
    tms_loss,
    tms_train,
)

# --- independent references -----------------------------------------------------


def forward_loop(W, b, x):
    m, n = len(W), len(W[0])
    h = [sum(W[j][i] * x[i] for i in range(n)) for j in range(m)]
    return [max(sum(W[j][i] * h[j] for j in range(m)) + b[i], 0.0) for i in range(n)]


def loss_loop(W, b, X, importance):
    total = 0.0
    for x in X:
        out = forward_loop(W, b, x)
        total += sum(
            importance[i] * (out[i] - x[i]) ** 2 for i in range(len(importance))
        )
    return total / len(X)


def central_difference(f, A, eps=1e-6):
    A = np.array(A, dtype=np.float64)
    grad = np.zeros_like(A)
    for index in np.ndindex(A.shape):
        old = A[index]
        A[index] = old + eps
        plus = f(A)
        A[index] = old - eps
        minus = f(A)
        A[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def dimensionality_loop(W):
    m, n = W.shape
    result = []
    for i in range(n):
        norm2 = sum(W[k, i] ** 2 for k in range(m))
        if norm2 == 0:
            result.append(0.0)
            continue
        unit = [W[k, i] / math.sqrt(norm2) for k in range(m)]
        overlap = sum(sum(unit[k] * W[k, j] for k in range(m)) ** 2 for j in range(n))
        result.append(norm2 / overlap)
    return result


def small_problem(seed, n=5, m=2, n_samples=6):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(m, n))
    b = rng.normal(0, 0.3, n)
    X = rng.random((n_samples, n)) * (rng.random((n_samples, n)) < 0.6)
    importance = rng.uniform(0.2, 2.0, n)
    return W, b, X, importance


# --- the loss and its gradient ----------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_loss_and_forward_match_loops(seed):
    W, b, X, importance = small_problem(seed)
    loss, _ = tms_loss(W, b, X, importance)
    assert isinstance(loss, float)
    assert loss == pytest.approx(
        loss_loop(W.tolist(), b.tolist(), X.tolist(), importance.tolist()), rel=1e-12
    )
    expected = [forward_loop(W.tolist(), b.tolist(), x) for x in X.tolist()]
    assert np.allclose(tms_forward(W, b, X), expected, rtol=1e-12, atol=1e-14)
    assert np.allclose(tms_hidden(W, X), X @ W.T)


@pytest.mark.parametrize("seed", range(4))
def test_gradient_matches_central_differences(seed):
    W, b, X, importance = small_problem(seed)
    _, grads = tms_loss(W, b, X, importance)
    num_W = central_difference(lambda V: tms_loss(V, b, X, importance)[0], W)
    num_b = central_difference(lambda c: tms_loss(W, c, X, importance)[0], b)
    assert np.allclose(grads["W"], num_W, rtol=1e-6, atol=1e-8)
    assert np.allclose(grads["b"], num_b, rtol=1e-6, atol=1e-8)


def test_hand_computed_two_features_in_one_dimension():
    W, b, importance = np.array([[1.0, -1.0]]), np.array([0.1, 0.1]), [1.0, 2.0]
    # x = (0.5, 0.5): h = 0, z = b, x' = (0.1, 0.1), r = (-0.4, -0.4)
    loss, grads = tms_loss(W, b, [[0.5, 0.5]], importance)
    assert loss == pytest.approx(1.0 * 0.16 + 2.0 * 0.16)
    # delta = 2 I r = (-0.8, -1.6); grad_W = h delta^T + (W delta) x^T
    assert np.allclose(grads["b"], [-0.8, -1.6])
    assert np.allclose(grads["W"], [[0.4, 0.4]])
    # the antipodal pair reconstructs one active feature exactly (b = 0)
    loss, grads = tms_loss(W, [0.0, 0.0], [[0.7, 0.0], [0.0, 0.3]], importance)
    assert loss == 0.0
    assert np.all(grads["W"] == 0) and np.all(grads["b"] == 0)


def test_default_importance_is_one():
    W, b, X, _ = small_problem(7)
    assert tms_loss(W, b, X)[0] == pytest.approx(tms_loss(W, b, X, np.ones(5))[0])


def test_a_stack_of_models_is_each_model_alone():
    rng = np.random.default_rng(3)
    Ws, bs = rng.normal(size=(3, 2, 4)), rng.normal(0, 0.3, (3, 4))
    Xs, Is = rng.random((3, 5, 4)), rng.uniform(0.5, 2, (3, 4))
    losses, grads = tms_loss(Ws, bs, Xs, Is)
    assert losses.shape == (3,)
    for k in range(3):
        loss_k, grads_k = tms_loss(Ws[k], bs[k], Xs[k], Is[k])
        assert losses[k] == pytest.approx(loss_k, rel=1e-12)
        assert np.allclose(grads["W"][k], grads_k["W"])
        assert np.allclose(grads["b"][k], grads_k["b"])
    # a 2-D X and a 1-D importance are shared by every model of the stack
    shared, grads_shared = tms_loss(Ws, bs, Xs[0], Is[0])
    for k in range(3):
        loss_k, grads_k = tms_loss(Ws[k], bs[k], Xs[0], Is[0])
        assert shared[k] == pytest.approx(loss_k, rel=1e-12)
        assert np.allclose(grads_shared["W"][k], grads_k["W"])
    assert tms_forward(Ws, bs, Xs).shape == (3, 5, 4)
    assert tms_hidden(Ws, Xs).shape == (3, 5, 2)


def test_float32_stays_float32():
    W, b, X, importance = small_problem(1)
    f32 = [a.astype(np.float32) for a in (W, b, X)]
    loss, grads = tms_loss(*f32, importance)
    assert grads["W"].dtype == np.float32 and grads["b"].dtype == np.float32
    assert loss == pytest.approx(tms_loss(W, b, X, importance)[0], rel=1e-5)


# --- the data -------------------------------------------------------------------


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.95])
def test_sparse_features_statistics(sparsity):
    X = sparse_features(100_000, 5, sparsity, rng=0)
    assert X.shape == (100_000, 5) and X.dtype == np.float64
    assert abs(np.mean(X == 0) - sparsity) < 0.005
    active = X[X > 0]
    assert active.min() > 0 and active.max() < 1
    assert abs(active.mean() - 0.5) < 0.01  # uniform on (0, 1)
    assert abs(np.mean(active < 0.25) - 0.25) < 0.01


def test_sparse_features_per_model_and_seeded():
    X = sparse_features(50_000, 3, [0.1, 0.9], rng=1, dtype=np.float32)
    assert X.shape == (2, 50_000, 3) and X.dtype == np.float32
    assert abs(np.mean(X[0] == 0) - 0.1) < 0.01
    assert abs(np.mean(X[1] == 0) - 0.9) < 0.01
    assert np.array_equal(X, sparse_features(50_000, 3, [0.1, 0.9], 1, np.float32))


# --- feature dimensionality ------------------------------------------------------


def test_feature_dimensionality_known_shapes():
    assert np.allclose(feature_dimensionality(np.eye(3, 5)), [1, 1, 1, 0, 0])
    assert np.allclose(feature_dimensionality([[2.0, -2.0]]), [0.5, 0.5])
    for k in range(3, 9):
        theta = 2 * np.pi * np.arange(k) / k
        D = feature_dimensionality(np.stack([np.cos(theta), np.sin(theta)]))
        assert np.allclose(D, 2 / k)


@pytest.mark.parametrize("seed", range(3))
def test_feature_dimensionality_matches_loop(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(3, 7))
    W[:, 2] = 0  # a feature that is not stored
    assert np.allclose(feature_dimensionality(W), dimensionality_loop(W))
    stack = feature_dimensionality(np.stack([W, 2 * W]))
    assert stack.shape == (2, 7) and np.allclose(stack[0], stack[1])


# --- training -------------------------------------------------------------------


def test_training_drops_the_unimportant_feature_of_dense_data():
    # Dense data, one dimension, feature 2 ten times less important: the model
    # stores feature 1 and predicts feature 2 by its mean, b_2 = (1 - S) / 2.
    params, losses = tms_train(
        2, 1, [0.0], [1.0, 0.1], n_steps=600, batch_size=128, random_state=0
    )
    W, b = params["W"][0, 0], params["b"][0]
    assert abs(abs(W[0]) - 1) < 0.05 and abs(W[1]) < 0.05
    assert abs(b[1] - 0.5) < 0.05
    assert losses.shape == (600, 1)
    assert losses[-50:].mean() < losses[:50].mean()


def test_training_is_reproducible_and_honours_W_init():
    W_init = np.full((2, 1, 2), 0.5)
    a, _ = tms_train(2, 1, [0.5, 0.5], n_steps=5, W_init=W_init, random_state=4)
    b, _ = tms_train(2, 1, [0.5, 0.5], n_steps=5, W_init=W_init, random_state=4)
    assert np.array_equal(a["W"], b["W"]) and a["W"].dtype == np.float32
    assert np.allclose(a["W"], 0.5, atol=0.1)  # five small Adam steps from W_init


# --- input errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((np.ones(3), np.zeros(3), np.ones((2, 3))), ValueError, "W must be"),
        ((np.ones((1, 3)), np.zeros(2), np.ones((2, 3))), ValueError, "b must"),
        ((np.ones((1, 3)), np.zeros(3), np.ones((2, 4))), ValueError, "X must"),
        ((np.ones((1, 3)), np.zeros(3), np.ones((0, 3))), ValueError, "at least one"),
        ((np.ones((1, 3)), np.zeros(3), [[np.nan, 0, 0]]), ValueError, "NaN"),
        ((np.ones((1, 3)) * 1j, np.zeros(3), np.ones((2, 3))), TypeError, "real"),
        ((np.ones((2, 1, 3)), np.zeros((2, 3)), np.ones((3, 2, 3))), ValueError, "3"),
    ],
)
def test_loss_rejects_bad_arrays(args, error, match):
    with pytest.raises(error, match=match):
        tms_loss(*args)


def test_loss_rejects_bad_importance():
    W, b, X, _ = small_problem(0)
    with pytest.raises(ValueError, match="importance must be >= 0"):
        tms_loss(W, b, X, -np.ones(5))
    with pytest.raises(ValueError, match="importance must have shape"):
        tms_loss(W, b, X, np.ones(4))


@pytest.mark.parametrize("sparsity", [1.0, -0.1, [[0.5]], np.nan])
def test_bad_sparsity(sparsity):
    with pytest.raises(ValueError, match="sparsity"):
        sparse_features(10, 2, sparsity)


def test_bad_generator_arguments():
    with pytest.raises(TypeError, match="n_samples"):
        sparse_features(2.5, 2, 0.5)
    with pytest.raises(TypeError, match="dtype"):
        sparse_features(10, 2, 0.5, dtype=np.int64)
    with pytest.raises(ValueError, match="W_init"):
        tms_train(2, 1, [0.5], W_init=np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match="learning_rate"):
        tms_train(2, 1, [0.5], learning_rate=0.0)
    with pytest.raises(ValueError, match="W must be"):
        feature_dimensionality(np.ones(3))
