"""Unit tests of saelib.sae_variants (chapter 20) against independent references.

The references are written here, not imported: central differences, loops over
examples and latents, sorting instead of partitioning, and hand-computed cases.
"""

import numpy as np
import pytest

from saelib.sae_losses import pre_activations, topk_codes, topk_sae_loss
from saelib.sae_variants import (
    BatchTopKSparseAutoencoder,
    GatedSparseAutoencoder,
    JumpReLUSparseAutoencoder,
    MatryoshkaSparseAutoencoder,
    batch_topk_codes,
    batch_topk_sae_loss,
    gated_forward,
    gated_sae_loss,
    jumprelu,
    jumprelu_sae_loss,
    matryoshka_sae_loss,
    rectangle,
)


def problem(seed, extra=(), n_features=4, n_latents=6, m=5):
    rng = np.random.default_rng(seed)
    W_dec = rng.normal(size=(n_features, n_latents))
    params = {
        "W_enc": rng.normal(size=(n_latents, n_features)),
        "b_enc": rng.normal(scale=0.3, size=n_latents),
        "W_dec": W_dec / np.linalg.norm(W_dec, axis=0),
        "b_dec": rng.normal(scale=0.3, size=n_features),
    }
    params.update({name: rng.normal(scale=0.3, size=n_latents) for name in extra})
    return params, rng.normal(size=(m, n_features))


def central_differences(loss, params, names, h=1e-6):
    """The numerical gradient of loss(params) -> float, entry by entry."""
    grads = {}
    for name in names:
        grads[name] = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            grads[name][index] = (loss(up) - loss(down)) / (2 * h)
    return grads


def assert_close(analytical, numerical, names, tol=1e-6):
    for name in names:
        np.testing.assert_allclose(
            analytical[name], numerical[name], atol=tol, err_msg=name
        )


# --- Gated -----------------------------------------------------------------------


def test_gated_codes_match_a_loop():
    params, X = problem(0, extra=("r_mag", "b_mag"))
    codes = gated_forward(params, X)[2]
    for i in range(X.shape[0]):
        for j in range(6):
            u = params["W_enc"][j] @ (X[i] - params["b_dec"])
            gate = u + params["b_enc"][j] > 0
            mag = np.exp(params["r_mag"][j]) * u + params["b_mag"][j]
            assert np.isclose(codes[i, j], gate * max(mag, 0.0))


def test_gated_gradient_with_a_frozen_decoder_matches_central_differences():
    params, X = problem(1, extra=("r_mag", "b_mag"))
    pi_gate, pi_mag, _ = gated_forward(params, X)
    assert min(np.abs(pi_gate).min(), np.abs(pi_mag).min()) > 1e-4
    frozen = (params["W_dec"].copy(), params["b_dec"].copy())
    _, grads = gated_sae_loss(params, X, 0.3, frozen=frozen)
    numerical = central_differences(
        lambda p: gated_sae_loss(p, X, 0.3, frozen=frozen)[0], params, sorted(params)
    )
    assert_close(grads, numerical, sorted(params))
    # Training's default freezes the current decoder: the same gradient.
    _, default = gated_sae_loss(params, X, 0.3)
    assert_close(default, grads, sorted(params), tol=1e-12)


def test_gated_hand_computed_case():
    # One feature, one latent: u = 2, gate open, magnitude e^0 * 2 + 0.5 = 2.5.
    params = {
        "W_enc": np.array([[1.0]]),
        "b_enc": np.array([0.0]),
        "r_mag": np.array([0.0]),
        "b_mag": np.array([0.5]),
        "W_dec": np.array([[1.0]]),
        "b_dec": np.array([0.0]),
    }
    loss, _ = gated_sae_loss(params, np.array([[2.0]]), 0.1)
    # 0.5 (2.5 - 2)^2 + 0.1 * 2 + 0.5 (2 - 2)^2
    assert np.isclose(loss, 0.125 + 0.2)


# --- JumpReLU --------------------------------------------------------------------


def test_jumprelu_and_rectangle_values():
    z = np.array([-1.0, 0.2, 0.5, 0.9])
    np.testing.assert_array_equal(jumprelu(z, 0.5), [0.0, 0.0, 0.0, 0.9])
    np.testing.assert_array_equal(
        rectangle(np.array([-0.6, -0.5, 0, 0.49, 0.5])), [0, 0, 1, 1, 0]
    )


def test_jumprelu_gradient_of_the_other_parameters_matches_central_differences():
    params, X = problem(2, extra=("log_threshold",))
    params["log_threshold"] = np.log(np.full(6, 0.3))
    assert np.abs(pre_activations(params, X) - 0.3).min() > 1e-4
    names = ["W_enc", "b_enc", "W_dec", "b_dec"]
    _, grads = jumprelu_sae_loss(params, X, 0.2, 0.05)
    numerical = central_differences(
        lambda p: jumprelu_sae_loss(p, X, 0.2, 0.05)[0], params, names
    )
    assert_close(grads, numerical, names)


def test_jumprelu_threshold_pseudo_gradient_matches_a_loop():
    params, X = problem(3, extra=("log_threshold",), m=40)
    z = pre_activations(params, X)
    theta = np.median(np.abs(z), axis=0)
    params["log_threshold"] = np.log(theta)
    eps, lam, m = 0.4, 0.15, X.shape[0]
    _, grads = jumprelu_sae_loss(params, X, lam, eps)
    codes = np.where(z > theta, z, 0.0)
    expected = np.zeros(6)
    for i in range(m):
        residual = codes[i] @ params["W_dec"].T + params["b_dec"] - X[i]
        for j in range(6):
            if -0.5 < (z[i, j] - theta[j]) / eps < 0.5:
                g = residual @ params["W_dec"][:, j] / m
                expected[j] += -(theta[j] * g + lam / m) / eps * theta[j]
    assert np.count_nonzero(expected) >= 3
    np.testing.assert_allclose(grads["log_threshold"], expected, atol=1e-12)


def test_jumprelu_penalty_pseudo_gradient_is_the_derivative_of_the_smoothed_step():
    params, X = problem(4, extra=("log_threshold",), m=30)
    params["W_dec"] = np.zeros_like(params["W_dec"])  # only the penalty remains
    z = pre_activations(params, X)
    params["log_threshold"] = np.log(np.median(np.abs(z), axis=0))
    eps, lam = 0.5, 0.2

    def smoothed(t):
        return lam * np.sum(np.clip((z - np.exp(t)) / eps + 0.5, 0, 1)) / X.shape[0]

    t, h = params["log_threshold"], 1e-7
    numerical = np.array(
        [(smoothed(t + h * e) - smoothed(t - h * e)) / (2 * h) for e in np.eye(6)]
    )
    pseudo = jumprelu_sae_loss(params, X, lam, eps)[1]["log_threshold"]
    np.testing.assert_allclose(pseudo, numerical, atol=1e-6)


def test_jumprelu_loss_counts_active_latents():
    params, X = problem(5, extra=("log_threshold",))
    params["log_threshold"] = np.log(np.full(6, 0.25))
    z = pre_activations(params, X)
    codes = np.where(z > 0.25, z, 0.0)
    X_hat = codes @ params["W_dec"].T + params["b_dec"]
    expected = (0.5 * np.sum((X_hat - X) ** 2) + 0.7 * np.sum(z > 0.25)) / X.shape[0]
    assert np.isclose(jumprelu_sae_loss(params, X, 0.7, 0.01)[0], expected)


# --- BatchTopK and Matryoshka ----------------------------------------------------


def test_batch_topk_codes_match_sorting_the_whole_batch():
    z = np.random.default_rng(6).normal(size=(7, 9))
    codes = batch_topk_codes(z, 2)
    kept = np.argsort(z, axis=None)[::-1][:14]
    expected = np.zeros(z.size)
    expected[kept] = np.maximum(z.ravel()[kept], 0)
    np.testing.assert_array_equal(codes, expected.reshape(z.shape))
    assert np.count_nonzero(codes) <= 14
    np.testing.assert_array_equal(batch_topk_codes(z[:1], 3), topk_codes(z[:1], 3))


def test_batch_topk_l0_varies_per_example_with_mean_k():
    z = (
        np.abs(np.random.default_rng(7).normal(size=(50, 20)))
        * np.linspace(0.1, 3, 50)[:, None]
    )
    per_example = np.count_nonzero(batch_topk_codes(z, 4), axis=1)
    assert per_example.mean() == 4 and per_example.min() < 4 < per_example.max()


def test_batch_topk_gradient_and_one_row_is_topk():
    params, X = problem(8)
    z = np.sort(pre_activations(params, X), axis=None)[::-1]
    assert z[9] - z[10] > 1e-4
    _, grads = batch_topk_sae_loss(params, X, 2)
    numerical = central_differences(
        lambda p: batch_topk_sae_loss(p, X, 2)[0], params, sorted(params)
    )
    assert_close(grads, numerical, sorted(params))
    assert np.isclose(
        batch_topk_sae_loss(params, X[:1], 2)[0], topk_sae_loss(params, X[:1], 2)[0]
    )


def test_matryoshka_gradient_loss_by_prefix_and_single_prefix():
    params, X = problem(9)
    sizes = (1, 3, 6)
    _, grads = matryoshka_sae_loss(params, X, 2, sizes)
    numerical = central_differences(
        lambda p: matryoshka_sae_loss(p, X, 2, sizes)[0], params, sorted(params)
    )
    assert_close(grads, numerical, sorted(params))
    codes = batch_topk_codes(pre_activations(params, X), 2)
    expected = (
        sum(
            0.5
            * np.sum(
                (codes[:, :s] @ params["W_dec"][:, :s].T + params["b_dec"] - X) ** 2
            )
            for s in sizes
        )
        / X.shape[0]
    )
    assert np.isclose(matryoshka_sae_loss(params, X, 2, sizes)[0], expected)
    assert np.isclose(
        matryoshka_sae_loss(params, X, 2, (6,))[0], batch_topk_sae_loss(params, X, 2)[0]
    )


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda p, X: batch_topk_sae_loss(p, X, 7), ValueError, "k must be in"),
        (lambda p, X: matryoshka_sae_loss(p, X, 2, (3, 2, 6)), ValueError, "increase"),
        (lambda p, X: matryoshka_sae_loss(p, X, 2, (2, 4)), ValueError, "end at"),
        (lambda p, X: matryoshka_sae_loss(p, X, 2, 6), TypeError, "sequence"),
        (lambda p, X: batch_topk_sae_loss(p, X[:, :3], 2), ValueError, "shape"),
        (lambda p, X: batch_topk_sae_loss(p, X * np.nan, 2), ValueError, "NaN"),
    ],
)
def test_bad_input_to_the_plain_losses(call, error, match):
    params, X = problem(10)
    with pytest.raises(error, match=match):
        call(params, X)


def test_bad_input_to_gated_and_jumprelu():
    params, X = problem(11, extra=("r_mag", "b_mag"))
    with pytest.raises(ValueError, match="l1_coeff"):
        gated_sae_loss(params, X, -1.0)
    with pytest.raises(ValueError, match="keys"):
        gated_sae_loss({k: params[k] for k in params if k != "r_mag"}, X, 1.0)
    with pytest.raises(ValueError, match="frozen"):
        gated_sae_loss(params, X, 1.0, frozen=(params["W_dec"][:, :2], params["b_dec"]))
    jparams, _ = problem(11, extra=("log_threshold",))
    for bandwidth in (0.0, -0.1):
        with pytest.raises(ValueError, match="bandwidth"):
            jumprelu_sae_loss(jparams, X, 0.1, bandwidth)
    jparams["log_threshold"] = np.zeros(3)
    with pytest.raises(ValueError, match="log_threshold"):
        jumprelu_sae_loss(jparams, X, 0.1, 0.1)


# --- estimators --------------------------------------------------------------------

X_FIT = np.abs(np.random.default_rng(12).normal(size=(300, 6)))
SMALL = dict(n_latents=12, n_epochs=3, batch_size=50, learning_rate=3e-3)


@pytest.mark.parametrize(
    "model",
    [
        GatedSparseAutoencoder(l1_coeff=0.05, **SMALL),
        JumpReLUSparseAutoencoder(
            l0_coeff=0.01, bandwidth=0.1, initial_threshold=0.1, **SMALL
        ),
        BatchTopKSparseAutoencoder(k=3, **SMALL),
        MatryoshkaSparseAutoencoder(k=3, prefix_sizes=(3, 6, 12), **SMALL),
    ],
    ids=lambda m: type(m).__name__,
)
def test_estimators_fit_transform_and_reconstruct(model):
    model.fit(X_FIT)
    codes = model.transform(X_FIT)
    assert (
        codes.shape == (300, 12) and np.all(codes >= 0) and np.all(np.isfinite(codes))
    )
    np.testing.assert_allclose(np.linalg.norm(model.W_dec_, axis=0), 1, rtol=1e-5)
    assert model.reconstruct(X_FIT).shape == X_FIT.shape
    assert model.history_[-1] < model.history_[0]


def test_fitted_gated_codes_are_gated_forward():
    model = GatedSparseAutoencoder(l1_coeff=0.05, **SMALL).fit(X_FIT)
    params = {
        n: getattr(model, n + "_")
        for n in ("W_enc", "b_enc", "r_mag", "b_mag", "W_dec", "b_dec")
    }
    X32 = X_FIT.astype(np.float32)
    np.testing.assert_allclose(
        model.transform(X32), gated_forward(params, X32)[2], rtol=1e-6
    )
    assert not hasattr(model, "_training_params")


def test_jumprelu_thresholds_move_and_transform_uses_them():
    model = JumpReLUSparseAutoencoder(
        l0_coeff=0.05, bandwidth=0.2, initial_threshold=0.1, **SMALL
    ).fit(X_FIT)
    theta = np.exp(model.log_threshold_)
    assert not np.allclose(theta, 0.1)
    z = pre_activations(
        {n: getattr(model, n + "_") for n in ("W_enc", "b_enc", "W_dec", "b_dec")},
        X_FIT.astype(np.float32),
    )
    np.testing.assert_allclose(
        model.transform(X_FIT.astype(np.float32)), jumprelu(z, theta)
    )


def test_batch_topk_threshold_is_the_mean_smallest_kept_code():
    model = BatchTopKSparseAutoencoder(k=3, **SMALL).fit(X_FIT)
    params = {n: getattr(model, n + "_") for n in ("W_enc", "b_enc", "W_dec", "b_dec")}
    smallest = []
    for start in range(0, 300, 50):
        codes = batch_topk_codes(
            pre_activations(params, X_FIT[start : start + 50].astype(np.float32)), 3
        )
        smallest.append(codes[codes > 0].min())
    assert np.isclose(model.threshold_, np.mean(smallest), rtol=1e-6)
    codes = model.transform(X_FIT)
    # one threshold for every example: a row's code does not depend on the others
    np.testing.assert_array_equal(model.transform(X_FIT[:7]), codes[:7])


@pytest.mark.parametrize(
    "model, match",
    [
        (BatchTopKSparseAutoencoder(n_latents=4, k=5), "k must be in"),
        (MatryoshkaSparseAutoencoder(n_latents=8, prefix_sizes=(4, 4, 8)), "increase"),
        (MatryoshkaSparseAutoencoder(n_latents=8, prefix_sizes=(2, 4)), "end at"),
        (JumpReLUSparseAutoencoder(bandwidth=0.0), "bandwidth"),
        (JumpReLUSparseAutoencoder(initial_threshold=-1.0), "initial_threshold"),
        (GatedSparseAutoencoder(l1_coeff=-0.1), "l1_coeff"),
    ],
)
def test_bad_hyperparameters_are_named_in_fit(model, match):
    with pytest.raises(ValueError, match=match):
        model.fit(X_FIT)
