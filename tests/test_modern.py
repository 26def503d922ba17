"""Unit tests of chapter 15's ReLU/L1 and TopK autoencoders.

Modules saelib.sae_params, sae_losses, sae_training and sae_estimators.

References, independent of saelib: a loop implementation of both forward passes
and costs written here from the chapter's equations (per example, per latent,
plain Python floats, ``sorted`` for TopK), central differences computed here for
every gradient, and closed forms (the projected gradient is orthogonal to its
column; TopK with ``k = n_latents`` is the ReLU model with ``l1_coeff = 0``).
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from saelib.sae_estimators import ReLUSparseAutoencoder, TopKSparseAutoencoder
from saelib.sae_losses import (
    auxk_loss,
    auxk_loss_unchecked,
    normalize_columns,
    pre_activations,
    relu_sae_loss,
    relu_sae_loss_unchecked,
    remove_parallel_component,
    topk_codes,
    topk_sae_loss,
    topk_sae_loss_unchecked,
)
from saelib.sae_params import PARAM_NAMES, flatten_params, unflatten_params
from saelib.sae_training import ModernSparseAutoencoder

N_FEATURES, N_LATENTS, M = 5, 7, 6


def make_params(seed, n_features=N_FEATURES, n_latents=N_LATENTS):
    rng = np.random.default_rng(seed)
    return {
        "W_enc": rng.normal(size=(n_latents, n_features)),
        "b_enc": rng.normal(scale=0.3, size=n_latents),
        "W_dec": normalize_columns(rng.normal(size=(n_features, n_latents))),
        "b_dec": rng.normal(scale=0.3, size=n_features),
    }


def make_X(seed, m=M, n_features=N_FEATURES):
    return np.random.default_rng(seed + 100).normal(size=(m, n_features))


def loop_codes(params, x, k=None):
    """Codes of one example by loops; TopK keeps the k largest pre-activations."""
    n_latents, n_features = params["W_enc"].shape
    pre = []
    for j in range(n_latents):
        total = float(params["b_enc"][j])
        for i in range(n_features):
            total += float(params["W_enc"][j, i]) * (x[i] - params["b_dec"][i])
        pre.append(total)
    if k is None:
        return [max(p, 0.0) for p in pre]
    keep = sorted(range(n_latents), key=lambda j: pre[j], reverse=True)[:k]
    return [max(pre[j], 0.0) if j in keep else 0.0 for j in range(n_latents)]


def loop_cost(params, X, l1_coeff=0.0, k=None):
    """The chapter's cost, eq-ch15-relu-loss or eq-ch15-topk, by loops."""
    n_features, n_latents = params["W_dec"].shape
    total = 0.0
    for x in X:
        f = loop_codes(params, x, k)
        for i in range(n_features):
            x_hat = float(params["b_dec"][i])
            for j in range(n_latents):
                x_hat += float(params["W_dec"][i, j]) * f[j]
            total += 0.5 * (x_hat - x[i]) ** 2
        total += l1_coeff * sum(abs(v) for v in f)
    return total / len(X)


def numerical(cost_of_theta, theta, eps=1e-6):
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        grad[i] = (cost_of_theta(theta + step) - cost_of_theta(theta - step)) / (
            2 * eps
        )
    return grad


def away_from_kinks(params, X, k=None, margin=1e-3):
    """True if no pre-activation is near 0 and (for TopK) no near-tie at the k-th."""
    pre = (X - params["b_dec"]) @ params["W_enc"].T + params["b_enc"]
    if np.min(np.abs(pre)) < margin:
        return False
    if k is not None and k < pre.shape[1]:
        s = np.sort(pre, axis=1)[:, ::-1]
        if np.min(s[:, k - 1] - s[:, k]) < margin:
            return False
    return True


def test_flatten_and_unflatten_are_inverse():
    params = make_params(0)
    theta = flatten_params(params)
    assert theta.shape == (2 * N_FEATURES * N_LATENTS + N_FEATURES + N_LATENTS,)
    back = unflatten_params(theta, N_FEATURES, N_LATENTS)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(back[name], params[name])
    with pytest.raises(ValueError, match="theta"):
        unflatten_params(theta[:-1], N_FEATURES, N_LATENTS)


@pytest.mark.parametrize("l1_coeff", [0.0, 0.1, 2.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_cost_matches_loops_and_gradient_matches_differences(seed, l1_coeff):
    params, X = make_params(seed), make_X(seed)
    assert away_from_kinks(params, X)
    loss, grads = relu_sae_loss(params, X, l1_coeff)
    assert loss == pytest.approx(loop_cost(params, X, l1_coeff), rel=1e-12)
    theta = flatten_params(params)

    def cost(t):
        return relu_sae_loss(unflatten_params(t, N_FEATURES, N_LATENTS), X, l1_coeff)[0]

    np.testing.assert_allclose(
        flatten_params(grads), numerical(cost, theta), rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("k", [1, 2, 4, N_LATENTS])
@pytest.mark.parametrize("seed", [0, 3])
def test_topk_cost_matches_loops_and_gradient_matches_differences(seed, k):
    params, X = make_params(seed), make_X(seed)
    assert away_from_kinks(params, X, k)
    loss, grads = topk_sae_loss(params, X, k)
    assert loss == pytest.approx(loop_cost(params, X, k=k), rel=1e-12)
    theta = flatten_params(params)

    def cost(t):
        return topk_sae_loss(unflatten_params(t, N_FEATURES, N_LATENTS), X, k)[0]

    np.testing.assert_allclose(
        flatten_params(grads), numerical(cost, theta), rtol=1e-6, atol=1e-8
    )


def test_topk_with_all_latents_is_relu_without_penalty():
    params, X = make_params(5), make_X(5)
    loss_t, grads_t = topk_sae_loss(params, X, N_LATENTS)
    loss_r, grads_r = relu_sae_loss(params, X, 0.0)
    assert loss_t == pytest.approx(loss_r, rel=1e-14)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(grads_t[name], grads_r[name], rtol=1e-13)


def test_topk_keeps_at_most_k_latents():
    model = TopKSparseAutoencoder(n_latents=12, k=3, n_epochs=2, batch_size=16)
    X = make_X(0, m=100, n_features=6)
    codes = model.fit(X).transform(X)
    assert codes.shape == (100, 12)
    assert np.all(np.count_nonzero(codes, axis=1) <= 3) and np.all(codes >= 0)


@pytest.mark.parametrize("aux_k", [1, 2, 10])
def test_auxk_gradient_matches_differences_with_residual_held_fixed(aux_k):
    params, X = make_params(7), make_X(7)
    residual = make_X(8)
    dead = np.array([True, False, True, True, False, False, True])
    pre = (X - params["b_dec"]) @ params["W_enc"].T + params["b_enc"]
    assert np.min(np.abs(pre)) > 1e-3
    loss, grads = auxk_loss(params, X, residual, dead, aux_k)
    # Reference: the dead latents alone, TopK over them by loops, no output bias.
    sub = {
        "W_enc": params["W_enc"][dead],
        "b_enc": params["b_enc"][dead],
        "W_dec": params["W_dec"][:, dead],
        "b_dec": params["b_dec"],
    }
    expected = 0.0
    for x, e in zip(X, residual, strict=True):
        f = loop_codes(sub, x, min(aux_k, int(dead.sum())))
        e_hat = sub["W_dec"] @ np.array(f)
        expected += 0.5 * float(np.sum((e_hat - e) ** 2))
    assert loss == pytest.approx(expected / len(X), rel=1e-12)
    for name in ("W_enc", "b_enc"):
        assert np.all(grads[name][~dead] == 0)  # live latents are not touched
    assert np.all(grads["W_dec"][:, ~dead] == 0)
    theta = flatten_params(params)

    def cost(t):
        p = unflatten_params(t, N_FEATURES, N_LATENTS)
        return auxk_loss(p, X, residual, dead, aux_k)[0]

    np.testing.assert_allclose(
        flatten_params(grads), numerical(cost, theta), rtol=1e-6, atol=1e-8
    )


def test_auxk_is_zero_without_dead_latents():
    params, X = make_params(1), make_X(1)
    loss, grads = auxk_loss(params, X, X, np.zeros(N_LATENTS, bool), 3)
    assert loss == 0.0
    assert all(np.all(g == 0) for g in grads.values())


def test_projected_gradient_is_orthogonal_and_is_the_gradient_on_the_sphere():
    rng = np.random.default_rng(0)
    W = normalize_columns(rng.normal(size=(6, 9)))
    G = rng.normal(size=(6, 9))
    P = remove_parallel_component(W, G)
    np.testing.assert_allclose(np.sum(P * W, axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(G - P, np.sum(G * W, axis=0) * W, rtol=1e-12)
    # d/dt <G, normalize(W + t V)> at t = 0 equals <P, V>: P is the gradient of a
    # linear loss restricted to unit-norm columns.
    V = rng.normal(size=(6, 9))
    t = 1e-6

    def along(s):
        moved = W + s * V
        return np.sum(G * (moved / np.linalg.norm(moved, axis=0)))

    derivative = (along(t) - along(-t)) / (2 * t)
    assert derivative == pytest.approx(np.sum(P * V), rel=1e-7)
    # A small step along -P followed by renormalization keeps unit norms and
    # moves each column only to second order off the tangent direction.
    stepped = normalize_columns(W - 1e-3 * P)
    np.testing.assert_allclose(np.linalg.norm(stepped, axis=0), 1, rtol=1e-14)


def test_remove_parallel_component_rejects_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        remove_parallel_component(np.ones((3, 2)), np.ones((2, 3)))


def small_data():
    rng = np.random.default_rng(0)
    atoms = rng.normal(size=(8, 10))
    codes = rng.random((400, 10)) * (rng.random((400, 10)) < 0.2)
    return codes @ atoms.T


@pytest.mark.parametrize(
    "model",
    [
        ReLUSparseAutoencoder(n_latents=16, l1_coeff=0.1, n_epochs=30, batch_size=32),
        TopKSparseAutoencoder(n_latents=16, k=3, n_epochs=30, batch_size=32),
        TopKSparseAutoencoder(
            n_latents=16,
            k=3,
            aux_k=4,
            dead_steps_threshold=5,
            n_epochs=30,
            batch_size=32,
            dtype=np.float64,
        ),
        ReLUSparseAutoencoder(
            n_latents=16,
            l1_coeff=0.1,
            n_epochs=30,
            batch_size=32,
            resample_every=50,
            dead_steps_threshold=10,
        ),
    ],
)
def test_estimators_fit_shapes_unit_norm_and_lower_loss(model):
    X = small_data()
    model.fit(X)
    n = model.n_latents
    assert model.W_enc_.shape == (n, 8) and model.b_enc_.shape == (n,)
    assert model.W_dec_.shape == (8, n) and model.b_dec_.shape == (8,)
    np.testing.assert_allclose(np.linalg.norm(model.W_dec_, axis=0), 1, rtol=1e-5)
    assert len(model.history_) == 30 and len(model.dead_history_) == 30
    assert model.history_[-1] < 0.5 * model.history_[0]
    assert model.n_steps_ == 30 * 13
    codes = model.transform(X)
    assert codes.shape == (400, n) and np.all(codes >= 0)
    X_hat = model.reconstruct(X)
    np.testing.assert_allclose(X_hat, codes @ model.W_dec_.T + model.b_dec_, rtol=1e-5)
    fvu = np.sum((X - X_hat) ** 2) / np.sum((X - X.mean(0)) ** 2)
    assert fvu < 0.3


def test_same_seed_same_model_and_other_seed_other_model():
    X = small_data()
    a = TopKSparseAutoencoder(n_latents=16, k=3, n_epochs=3).fit(X)
    b = TopKSparseAutoencoder(n_latents=16, k=3, n_epochs=3).fit(X)
    c = TopKSparseAutoencoder(n_latents=16, k=3, n_epochs=3, random_state=1).fit(X)
    np.testing.assert_array_equal(a.W_dec_, b.W_dec_)
    assert not np.allclose(a.W_dec_, c.W_dec_)


def test_estimator_gradients_are_the_checked_ones():
    # One step of fit with Adam from the known initialization equals a step taken
    # by hand with relu_sae_loss, the projection, Adam's first step and the
    # renormalization.
    X = small_data()[:32]
    model = ReLUSparseAutoencoder(
        n_latents=5,
        l1_coeff=0.3,
        n_epochs=1,
        batch_size=32,
        learning_rate=0.01,
        dtype=np.float64,
    ).fit(X)
    rng = np.random.default_rng(0)
    W_dec = normalize_columns(rng.standard_normal((8, 5)))
    order = rng.permutation(32)
    params = {
        "W_enc": W_dec.T.copy(),
        "b_enc": np.zeros(5),
        "W_dec": W_dec,
        "b_dec": X.mean(axis=0),
    }
    _, grads = relu_sae_loss(params, X[order], 0.3)
    grads["W_dec"] = remove_parallel_component(params["W_dec"], grads["W_dec"])
    for name in PARAM_NAMES:  # Adam's first step: lr * g / (|g| + eps)
        params[name] = params[name] - 0.01 * grads[name] / (np.abs(grads[name]) + 1e-8)
    params["W_dec"] = normalize_columns(params["W_dec"])
    for name in PARAM_NAMES:
        np.testing.assert_allclose(getattr(model, name + "_"), params[name], rtol=1e-10)


def test_unchecked_losses_agree_with_the_checked_ones():
    params, X = make_params(3), make_X(4)
    loss, grads = relu_sae_loss(params, X, 0.4)
    loss_u, grads_u, codes = relu_sae_loss_unchecked(params, X, 0.4)
    assert loss_u == loss and all(np.array_equal(grads[n], grads_u[n]) for n in grads)
    np.testing.assert_array_equal(codes, np.maximum(pre_activations(params, X), 0))
    loss, grads = topk_sae_loss(params, X, 3)
    loss_u, grads_u, codes, residual = topk_sae_loss_unchecked(params, X, 3)
    assert loss_u == loss and all(np.array_equal(grads[n], grads_u[n]) for n in grads)
    np.testing.assert_array_equal(codes, topk_codes(pre_activations(params, X), 3))
    np.testing.assert_allclose(
        residual, X - codes @ params["W_dec"].T - params["b_dec"]
    )
    dead = np.arange(N_LATENTS) % 2 == 0
    loss, grads = auxk_loss(params, X, residual, dead, 2)
    loss_u, grads_u = auxk_loss_unchecked(params, X, residual, dead, 2)
    assert loss_u == loss and all(np.array_equal(grads[n], grads_u[n]) for n in grads)


def test_a_subclass_of_the_shared_trainer_supplies_codes_and_loss_only():
    # The extension point of later chapters: a new architecture defines __init__,
    # _codes and _loss_and_grads, and inherits fit, transform and resampling.
    class PlainReLU(ModernSparseAutoencoder):
        def __init__(self, n_latents=16, l1_coeff=0.1, n_epochs=2, batch_size=32):
            self.n_latents = n_latents
            self.l1_coeff = l1_coeff
            self.learning_rate = 1e-3
            self.n_epochs = n_epochs
            self.batch_size = batch_size
            self.dead_steps_threshold = 100
            self.resample_every = None
            self.random_state = 0
            self.verbose = False
            self.dtype = np.float32

        def _codes(self, params, X):
            return np.maximum(pre_activations(params, X), 0)

        def _loss_and_grads(self, params, X, dead):
            return relu_sae_loss_unchecked(params, X, self.l1_coeff)

    X = small_data()
    mine = PlainReLU().fit(X)
    reference = ReLUSparseAutoencoder(
        n_latents=16, l1_coeff=0.1, n_epochs=2, batch_size=32
    ).fit(X)
    np.testing.assert_array_equal(mine.W_dec_, reference.W_dec_)
    np.testing.assert_array_equal(mine.transform(X), reference.transform(X))


def test_get_set_params_and_repr():
    model = TopKSparseAutoencoder(n_latents=32, k=4)
    params = model.get_params()
    assert params["k"] == 4 and params["n_latents"] == 32 and params["aux_k"] is None
    assert model.set_params(k=5) is model and model.k == 5
    assert repr(model) == "TopKSparseAutoencoder(k=5, n_latents=32)"  # non-defaults
    with pytest.raises(ValueError, match="Invalid parameter 'l1_coeff'"):
        model.set_params(l1_coeff=1.0)
    relu = ReLUSparseAutoencoder(n_latents=8, l1_coeff=0.5)
    assert relu.get_params()["l1_coeff"] == 0.5


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: TopKSparseAutoencoder(n_latents=8, k=9), ValueError, "k must be"),
        (lambda: TopKSparseAutoencoder(n_latents=8, k=0), ValueError, "k must be"),
        (
            lambda: TopKSparseAutoencoder(n_latents=8, k=2.5),
            TypeError,
            "k must be an int",
        ),
        (lambda: TopKSparseAutoencoder(n_latents=8, k=2, aux_k=9), ValueError, "aux_k"),
        (lambda: TopKSparseAutoencoder(k=2, aux_coeff=-1.0), ValueError, "aux_coeff"),
        (lambda: ReLUSparseAutoencoder(l1_coeff=-0.1), ValueError, "l1_coeff"),
        (lambda: ReLUSparseAutoencoder(l1_coeff=np.nan), ValueError, "l1_coeff"),
        (lambda: ReLUSparseAutoencoder(n_latents=0), ValueError, "n_latents"),
        (lambda: ReLUSparseAutoencoder(learning_rate=0), ValueError, "learning_rate"),
        (lambda: ReLUSparseAutoencoder(batch_size=0), ValueError, "batch_size"),
        (lambda: ReLUSparseAutoencoder(resample_every=0), ValueError, "resample_every"),
        (lambda: ReLUSparseAutoencoder(dtype=np.int32), ValueError, "dtype"),
    ],
)
def test_bad_hyperparameters_raise_in_fit_not_at_construction(make, error, message):
    model = make()  # scikit-learn's rule: __init__ only stores
    with pytest.raises(error, match=message):
        model.fit(small_data())
    assert not hasattr(model, "W_dec_")


def test_bad_hyperparameter_set_later_raises_in_fit_before_work():
    model = TopKSparseAutoencoder(n_latents=8, k=2).set_params(k=20)
    with pytest.raises(ValueError, match="k must be in"):
        model.fit(small_data())
    assert not hasattr(model, "W_dec_")


def test_bad_X_raises():
    X = small_data()
    model = ReLUSparseAutoencoder(n_latents=8, n_epochs=1)
    for bad, message in [
        (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), "contains NaN"),
        (np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X), "infinity"),
        (X[0], "Expected 2D array"),
        (X.astype(complex), "Complex data not supported"),
    ]:
        with pytest.raises(ValueError, match=message):
            model.fit(bad)
    with pytest.raises(NotFittedError):
        model.transform(X)
    model.fit(X)
    with pytest.raises(ValueError, match="features"):
        model.transform(X[:, :3])


def test_bad_arguments_of_the_loss_functions_raise():
    params, X = make_params(0), make_X(0)
    with pytest.raises(ValueError, match="l1_coeff"):
        relu_sae_loss(params, X, -1.0)
    with pytest.raises(ValueError, match="k must be"):
        topk_sae_loss(params, X, N_LATENTS + 1)
    with pytest.raises(ValueError, match="NaN"):
        relu_sae_loss(params, np.full_like(X, np.nan), 0.1)
    with pytest.raises(ValueError, match="shape"):
        relu_sae_loss(params, X[:, :2], 0.1)
    with pytest.raises(ValueError, match="keys"):
        relu_sae_loss({"W_enc": params["W_enc"]}, X, 0.1)
    with pytest.raises(ValueError, match="2-D"):
        relu_sae_loss(dict(params, W_dec=params["W_dec"].ravel()), X, 0.1)
    with pytest.raises(ValueError, match="dead"):
        auxk_loss(params, X, X, np.ones(3, bool), 2)
    with pytest.raises(ValueError, match="aux_k"):
        auxk_loss(params, X, X, np.ones(N_LATENTS, bool), 0)


def test_topk_latents_outside_the_top_k_get_no_gradient():
    params, X = make_params(3), make_X(3)
    k = 2
    pre = (X - params["b_dec"]) @ params["W_enc"].T + params["b_enc"]
    kept = np.zeros(pre.shape, bool)
    for i, row in enumerate(pre):  # reference selection by sorting, per example
        for j in sorted(range(N_LATENTS), key=lambda j: -row[j])[:k]:
            kept[i, j] = row[j] > 0
    _, grads = topk_sae_loss(params, X, k)
    never = ~kept.any(axis=0)
    assert never.any()  # the test needs a latent that is never kept
    assert np.all(grads["W_enc"][never] == 0) and np.all(grads["b_enc"][never] == 0)
    assert np.all(grads["W_dec"][:, never] == 0)
    assert np.all(grads["W_enc"][~never].any(axis=1))


@pytest.mark.parametrize(
    ("model", "scale"),
    [
        (ReLUSparseAutoencoder(n_latents=6, dtype=np.float64), 0.2),
        (TopKSparseAutoencoder(n_latents=6, k=2, dtype=np.float64), 1.0),
    ],
)
def test_resampling_points_dead_latents_at_inputs_and_resets_adam(model, scale):
    from saelib.adam import Adam

    X = small_data()
    rng = np.random.default_rng(0)
    params = model._init_params(X, rng)
    optimizer = Adam(params, learning_rate=1e-2)
    for _ in range(3):  # non-zero Adam moments everywhere
        optimizer.step({name: np.ones_like(p) for name, p in params.items()})
    normalize_columns(params["W_dec"])
    dead = np.array([True, False, False, True, False, False])
    alive_norm = np.linalg.norm(params["W_enc"][~dead], axis=1).mean()
    live_before = {name: p.copy() for name, p in params.items()}
    assert model._resample(params, optimizer, X, dead, rng) == 2
    centred = X - params["b_dec"]
    directions = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    for j in np.flatnonzero(dead):
        column = params["W_dec"][:, j]
        assert np.isclose(np.linalg.norm(column), 1)
        assert np.max(directions @ column) == pytest.approx(1, abs=1e-12)
        np.testing.assert_allclose(params["W_enc"][j], scale * alive_norm * column)
        assert params["b_enc"][j] == 0
        assert np.all(optimizer.m["W_enc"][j] == 0) and np.all(
            optimizer.v["b_enc"][j] == 0
        )
    np.testing.assert_array_equal(params["W_enc"][~dead], live_before["W_enc"][~dead])
    assert np.all(optimizer.m["W_enc"][~dead] != 0)


# --- reliability (issue 12): normalize_columns and remove_parallel_component -------


def test_normalize_columns_refuses_a_zero_column_instead_of_making_nan():
    W = np.ones((3, 4))
    W[:, 2] = 0.0
    with pytest.raises(ValueError, match="first is column 2"):
        normalize_columns(W)


@pytest.mark.parametrize(
    "W, match",
    [
        (np.ones((3, 2)) + 0j, "complex"),
        (np.ones((3, 2), dtype=int), "float ndarray"),
        ([[1.0, 2.0]], "float ndarray"),
    ],
    ids=["complex", "int", "list"],
)
def test_normalize_columns_refuses_what_it_cannot_scale_in_place(W, match):
    with pytest.raises(TypeError, match=match):
        normalize_columns(W)


@pytest.mark.parametrize("W", [np.ones(3), np.ones((2, 2, 2))], ids=str)
def test_normalize_columns_refuses_bad_shapes(W):
    with pytest.raises(ValueError, match="W must be 2-D"):
        normalize_columns(W)


def test_normalize_columns_and_projection_let_a_diverged_nan_through():
    """Chapter 15's step-size experiment shows divergence as a NaN cost."""
    W = np.array([[1.0, np.nan], [1.0, 2.0]])
    normalize_columns(W)
    assert np.all(np.isnan(W[:, 1])) and np.allclose(W[:, 0], 2**-0.5)
    assert np.all(np.isnan(remove_parallel_component(W, np.ones((2, 2)))[:, 1]))


def test_normalize_columns_keeps_float32_in_place():
    W = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out = normalize_columns(W)
    assert out is W and W.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 1.0, rtol=1e-6)


@pytest.mark.parametrize("which", ["W_dec", "grad"])
def test_remove_parallel_component_refuses_complex(which):
    arrays = {"W_dec": np.eye(3), "grad": np.ones((3, 3))}
    with pytest.raises(TypeError, match=f"{which} must hold real numbers"):
        remove_parallel_component(**(arrays | {which: arrays[which] + 0j}))


def test_normalize_columns_scales_huge_and_tiny_columns_without_overflow():
    """The sum of squares of 1e200 overflows; it used to give a zero column."""
    import warnings

    W = np.array([[1e200, 1e-200, 3.0], [1e200, 1e-200, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalize_columns(W)
    np.testing.assert_allclose(W, [[2**-0.5, 2**-0.5, 0.6], [2**-0.5, 2**-0.5, 0.8]])
