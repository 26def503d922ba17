"""Unit tests of saelib.estimator (chapter 7: the SparseAutoencoder estimator).

References: the pipeline of chapters 1, 4 and 5 assembled by hand
(initialize_parameters, minimize_lbfgs on sparse_autoencoder_cost in the notes'
layout, unpack_parameters), which the estimator must reproduce exactly; and,
independent of saelib, the loop cost ``reference.sparse_cost_and_grad`` and the
loop forward pass ``reference.forward`` (``math.exp``), for the loss curve,
``transform`` and ``reconstruct``. Validation is checked to happen before any
L-BFGS iteration by replacing the optimizer with one that fails if called.
"""

import re
from functools import partial

import numpy as np
import pytest
import reference as ref

import saelib
from saelib import estimator as estimator_module
from saelib.estimator import SparseAutoencoder
from saelib.fast import sparse_autoencoder_cost_fast

N_SAMPLES, N_FEATURES, HIDDEN, MAX_ITER = 300, 16, 5, 30
SMALL = dict(hidden_size=HIDDEN, sparsity_param=0.1, max_iter=MAX_ITER)


def make_X(seed=0, n=N_SAMPLES, d=N_FEATURES):
    """Correlated data in [0, 1]: a few smooth bumps per example."""
    rng = np.random.default_rng(seed)
    codes = rng.uniform(0, 1, (n, 3))
    basis = rng.uniform(-1, 1, (3, d))
    return 0.5 + 0.4 * np.tanh(codes @ basis + 0.1 * rng.standard_normal((n, d)))


@pytest.fixture(scope="module")
def X():
    return make_X()


@pytest.fixture(scope="module")
def fitted(X):
    return SparseAutoencoder(**SMALL, random_state=3).fit(X)


def manual_pipeline(
    X, hidden, seed, max_iter, lambda_, rho, beta, data=None, fast=True
):
    """Chapters 1, 4 and 5 (and appendix B's fast cost, which the estimator uses)
    by hand: the notes' layout is one example per column."""
    n_features = X.shape[1]
    theta0 = saelib.initialize_parameters(hidden, n_features, rng=seed)
    cost = partial(
        sparse_autoencoder_cost_fast if fast else saelib.sparse_autoencoder_cost,
        visible_size=n_features,
        hidden_size=hidden,
        lambda_=lambda_,
        sparsity_param=rho,
        beta=beta,
        data=np.ascontiguousarray(X.T) if data is None else data,
    )
    result = saelib.minimize_lbfgs(cost, theta0, max_iter=max_iter)
    W1, W2, b1, b2 = saelib.unpack_parameters(result.theta, n_features, hidden)
    return theta0, result, (W1, W2, b1, b2)


def loop_cost(model, X, theta=None):
    """The sparse cost at the model's weights (or theta), by the loop reference."""
    if theta is None:
        theta = np.concatenate(
            [model.W1_.ravel(), model.W2_.ravel(), model.b1_, model.b2_]
        )
    cost, _ = ref.sparse_cost_and_grad(
        theta,
        X.shape[1],
        model.hidden_size,
        model.lambda_,
        model.sparsity_param,
        model.beta,
        X.T,
    )
    return cost


def test_public_api_exports_the_estimator():
    assert saelib.SparseAutoencoder is SparseAutoencoder
    assert "SparseAutoencoder" in saelib.__all__


# --- the fit equals the hand-made pipeline -----------------------------------------


@pytest.mark.parametrize(
    "hidden, seed, lambda_, rho, beta",
    [(5, 3, 1e-4, 0.1, 3.0), (3, 0, 1e-3, 0.01, 3.0), (7, 11, 0.0, 0.2, 0.0)],
)
def test_fit_equals_the_manual_pipeline_exactly(X, hidden, seed, lambda_, rho, beta):
    model = SparseAutoencoder(
        hidden_size=hidden,
        sparsity_param=rho,
        beta=beta,
        lambda_=lambda_,
        max_iter=MAX_ITER,
        random_state=seed,
    ).fit(X)
    _, result, (W1, W2, b1, b2) = manual_pipeline(
        X, hidden, seed, MAX_ITER, lambda_, rho, beta
    )
    np.testing.assert_array_equal(model.W1_, W1)
    np.testing.assert_array_equal(model.W2_, W2)
    np.testing.assert_array_equal(model.b1_, b1)
    np.testing.assert_array_equal(model.b2_, b2)
    assert model.n_iter_ == result.n_iter
    assert model.loss_curve_ == result.cost_history
    assert model.n_features_in_ == X.shape[1]


def test_fit_follows_the_reference_cost_of_chapter_5(X):
    # The fast cost rounds differently, so the runs agree closely, not bit for bit.
    model = SparseAutoencoder(hidden_size=5, max_iter=MAX_ITER, random_state=3).fit(X)
    _, result, _ = manual_pipeline(X, 5, 3, MAX_ITER, 1e-4, 0.01, 3.0, fast=False)
    np.testing.assert_allclose(
        model.loss_curve_[:10], result.cost_history[:10], rtol=1e-7
    )
    assert model.loss_curve_[-1] == pytest.approx(result.cost_history[-1], rel=1e-3)


def test_chapter5_objective_reproduces_the_chapter_5_pipeline_bit_for_bit(X):
    model = SparseAutoencoder(
        hidden_size=5,
        max_iter=MAX_ITER,
        random_state=3,
        objective=estimator_module.chapter5_objective,
    ).fit(X)
    _, result, (W1, _, _, _) = manual_pipeline(
        X, 5, 3, MAX_ITER, 1e-4, 0.01, 3.0, fast=False
    )
    assert model.loss_curve_ == result.cost_history
    np.testing.assert_array_equal(model.W1_, W1)


def test_the_default_objective_is_the_one_registered_last(X, monkeypatch):
    from saelib.fast import SparseAutoencoderObjective

    registry = estimator_module._registered_objectives
    # Importing saelib registers appendix B's objective after chapter 5's.
    assert registry[0] is estimator_module.chapter5_objective
    assert registry[-1] is SparseAutoencoderObjective
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[:5])
        return estimator_module.chapter5_objective(*args, **kwargs)

    monkeypatch.setattr(estimator_module, "_registered_objectives", list(registry))
    assert estimator_module.register_objective(counting) is counting
    SparseAutoencoder(**{**SMALL, "max_iter": 2}).fit(X)
    assert calls == [(N_FEATURES, HIDDEN, 1e-4, 0.1, 3.0)]
    # Registering again moves a factory to the end instead of adding a copy.
    estimator_module.register_objective(SparseAutoencoderObjective)
    assert estimator_module._registered_objectives[-1] is SparseAutoencoderObjective
    assert (
        estimator_module._registered_objectives.count(SparseAutoencoderObjective) == 1
    )


def test_objectives_must_be_callable(X):
    with pytest.raises(TypeError, match="objective must be callable"):
        SparseAutoencoder(**SMALL, objective="fast").fit(X)
    with pytest.raises(TypeError, match="must be callable"):
        estimator_module.register_objective(42)


def test_float32_training_reaches_the_float64_cost(X):
    model64 = SparseAutoencoder(hidden_size=5, max_iter=MAX_ITER, random_state=3).fit(X)
    model32 = SparseAutoencoder(
        hidden_size=5, max_iter=MAX_ITER, random_state=3, dtype=np.float32
    ).fit(X)
    assert model32.loss_curve_[-1] == pytest.approx(model64.loss_curve_[-1], rel=1e-2)
    assert model32.W1_.shape == model64.W1_.shape


def test_two_threads_train_the_same_model(X, fitted):
    # The same sums in another order: equal up to rounding at the start, and L-BFGS
    # follows nearly the same path over a few iterations.
    model = SparseAutoencoder(**SMALL, random_state=3, n_threads=2).fit(X)
    assert model.loss_curve_[0] == pytest.approx(fitted.loss_curve_[0], rel=1e-12)
    assert model.loss_curve_[-1] == pytest.approx(fitted.loss_curve_[-1], rel=1e-6)
    np.testing.assert_allclose(model.W1_, fitted.W1_, rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float16, np.int64, "complex128"])
def test_rejects_other_dtypes(X, dtype):
    with pytest.raises(ValueError, match="dtype"):
        SparseAutoencoder(dtype=dtype).fit(X)


def test_fit_agrees_with_the_pipeline_on_a_transposed_view(X, fitted):
    # data=X.T (a Fortran-ordered view) changes the BLAS summation order, so the
    # runs agree to rounding, not bit for bit; the estimator uses a C-ordered copy.
    _, result, (W1, W2, b1, b2) = manual_pipeline(
        X, HIDDEN, 3, MAX_ITER, 1e-4, 0.1, 3.0, data=X.T
    )
    np.testing.assert_allclose(fitted.W1_, W1, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fitted.W2_, W2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fitted.loss_curve_, result.cost_history, rtol=1e-10)


def test_attributes(fitted):
    assert fitted.W1_.shape == (HIDDEN, N_FEATURES)
    assert fitted.W2_.shape == (N_FEATURES, HIDDEN)
    assert fitted.b1_.shape == (HIDDEN,)
    assert fitted.b2_.shape == (N_FEATURES,)
    assert fitted.n_features_in_ == N_FEATURES
    assert isinstance(fitted.n_iter_, int)
    assert 1 <= fitted.n_iter_ <= MAX_ITER
    params = [fitted.W1_, fitted.W2_, fitted.b1_, fitted.b2_]
    for i, a in enumerate(params):
        assert a.dtype == np.float64
        for b in params[i + 1 :]:
            assert not np.shares_memory(a, b)


def test_fit_returns_self_and_ignores_y(X):
    model = SparseAutoencoder(**SMALL, random_state=3)
    assert model.fit(X) is model
    other = SparseAutoencoder(**SMALL, random_state=3).fit(X, y=np.arange(len(X)))
    np.testing.assert_array_equal(other.W1_, model.W1_)


# --- the loss curve ----------------------------------------------------------------


def test_loss_curve_starts_at_the_initial_cost(X, fitted):
    # The initial weights of chapter 1: uniform in [-r, r], r = sqrt(6/(h + v + 1)),
    # biases zero, drawn by a generator seeded with random_state.
    h, v = HIDDEN, N_FEATURES
    r = np.sqrt(6.0 / (h + v + 1))
    theta0 = np.zeros(2 * h * v + h + v)
    theta0[: 2 * h * v] = np.random.default_rng(3).uniform(-r, r, 2 * h * v)
    assert fitted.loss_curve_[0] == pytest.approx(
        loop_cost(fitted, X, theta0), rel=1e-12
    )


def test_loss_curve_ends_at_the_cost_of_the_fitted_weights(X, fitted):
    assert fitted.loss_curve_[-1] == pytest.approx(loop_cost(fitted, X), rel=1e-12)


def test_loss_curve_has_one_entry_per_iteration_plus_the_start(fitted):
    assert len(fitted.loss_curve_) == fitted.n_iter_ + 1
    assert all(isinstance(c, float) for c in fitted.loss_curve_)


def test_loss_curve_is_non_increasing(fitted):
    curve = np.array(fitted.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-12 * np.abs(curve[:-1]))
    assert curve[-1] < 0.5 * curve[0]  # it did train


# --- transform and reconstruct -----------------------------------------------------


def test_transform_is_the_hidden_activation(X, fitted):
    a2, _ = ref.forward(fitted.W1_, fitted.b1_, fitted.W2_, fitted.b2_, X.T)
    got = fitted.transform(X)
    assert got.shape == (N_SAMPLES, HIDDEN)
    np.testing.assert_allclose(got, a2.T, rtol=1e-13, atol=1e-300)


def test_reconstruct_is_the_output_activation(X, fitted):
    _, a3 = ref.forward(fitted.W1_, fitted.b1_, fitted.W2_, fitted.b2_, X.T)
    got = fitted.reconstruct(X)
    assert got.shape == X.shape
    np.testing.assert_allclose(got, a3.T, rtol=1e-13)


def test_transform_with_numpy_sigmoid(X, fitted):
    expected = 1.0 / (1.0 + np.exp(-(X @ fitted.W1_.T + fitted.b1_)))
    np.testing.assert_allclose(fitted.transform(X), expected, rtol=1e-13)


def test_transform_and_reconstruct_on_new_data(fitted):
    new = make_X(seed=9, n=7)
    new[0] = np.linspace(-1, 2, N_FEATURES)  # outside [0, 1] is fine after fit
    a2, a3 = ref.forward(fitted.W1_, fitted.b1_, fitted.W2_, fitted.b2_, new.T)
    np.testing.assert_allclose(fitted.transform(new), a2.T, rtol=1e-13)
    np.testing.assert_allclose(fitted.reconstruct(new), a3.T, rtol=1e-13)
    single = fitted.transform(new[3].reshape(1, -1))
    np.testing.assert_allclose(single, a2.T[3:4], rtol=1e-13)


def test_fit_transform_equals_fit_then_transform(X, fitted):
    model = SparseAutoencoder(**SMALL, random_state=3)
    codes = model.fit_transform(X)
    np.testing.assert_array_equal(model.W1_, fitted.W1_)
    np.testing.assert_array_equal(codes, fitted.transform(X))


def test_inputs_are_not_modified(X):
    before = X.copy()
    model = SparseAutoencoder(**SMALL).fit(X)
    model.transform(X)
    model.reconstruct(X)
    np.testing.assert_array_equal(X, before)


# --- reproducibility ---------------------------------------------------------------


def test_same_random_state_gives_identical_weights(X, fitted):
    again = SparseAutoencoder(**SMALL, random_state=3).fit(X)
    for name in ("W1_", "W2_", "b1_", "b2_"):
        np.testing.assert_array_equal(getattr(again, name), getattr(fitted, name))
    assert again.loss_curve_ == fitted.loss_curve_
    refit = fitted.__class__(**fitted.get_params()).fit(X).fit(X)
    np.testing.assert_array_equal(refit.W1_, fitted.W1_)


def test_different_random_state_gives_different_weights(X, fitted):
    other = SparseAutoencoder(**SMALL, random_state=4).fit(X)
    assert not np.allclose(other.W1_, fitted.W1_)
    assert other.loss_curve_[0] != fitted.loss_curve_[0]


def test_random_state_may_be_a_generator(X, fitted):
    model = SparseAutoencoder(**SMALL, random_state=np.random.default_rng(3)).fit(X)
    np.testing.assert_array_equal(model.W1_, fitted.W1_)
    seeded = SparseAutoencoder(**SMALL, random_state=np.int64(3)).fit(X)
    np.testing.assert_array_equal(seeded.W1_, fitted.W1_)


# --- parameters --------------------------------------------------------------------


def test_default_parameters_are_the_notes():
    assert SparseAutoencoder().get_params() == {
        "hidden_size": 25,
        "sparsity_param": 0.01,
        "beta": 3.0,
        "lambda_": 1e-4,
        "max_iter": 400,
        "random_state": 0,
        "verbose": False,
        "dtype": np.float64,
        "n_threads": 1,
        "objective": None,
    }


def test_get_params_set_params_round_trip():
    params = dict(
        hidden_size=7,
        sparsity_param=0.05,
        beta=1.5,
        lambda_=1e-3,
        max_iter=12,
        random_state=42,
        verbose=3,
        dtype=np.float32,
        n_threads=2,
        objective=estimator_module.chapter5_objective,
    )
    model = SparseAutoencoder(**params)
    assert model.get_params() == params
    assert model.get_params(deep=False) == params
    clone = SparseAutoencoder(**model.get_params())
    assert clone.get_params() == params
    other = SparseAutoencoder()
    assert other.set_params(**params) is other
    assert other.get_params() == params
    assert other.set_params() is other
    other.set_params(beta=0.5)
    assert other.beta == 0.5 and other.get_params()["beta"] == 0.5
    assert "hidden_size=7" in repr(model) and repr(model).startswith(
        "SparseAutoencoder("
    )


def test_set_params_changes_the_fit(X):
    model = SparseAutoencoder(**SMALL).set_params(hidden_size=2, max_iter=3)
    model.fit(X)
    assert model.W1_.shape == (2, N_FEATURES)
    assert model.n_iter_ <= 3


@pytest.mark.parametrize("name", ["hidden", "alpha", "n_iter_", "W1_", "lambda"])
def test_set_params_rejects_unknown_names(name):
    model = SparseAutoencoder()
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        model.set_params(**{name: 1})
    assert model.get_params() == SparseAutoencoder().get_params()


# --- verbose -----------------------------------------------------------------------


def test_silent_by_default(X, capsys):
    SparseAutoencoder(**SMALL).fit(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_int_prints_every_so_many_iterations(X, capsys):
    model = SparseAutoencoder(**SMALL, verbose=5).set_params(max_iter=12).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert model.n_iter_ == 12
    expected_iters = [0, 5, 10, 12]
    assert len(lines) == len(expected_iters)
    for line, k in zip(lines, expected_iters, strict=True):
        match = re.search(r"iteration\s+(\d+)/12\s+cost (\S+)", line)
        assert match, line
        assert int(match.group(1)) == k
        assert float(match.group(2)) == pytest.approx(model.loss_curve_[k], rel=1e-5)


def test_verbose_true_prints_progress(X, capsys):
    model = SparseAutoencoder(**SMALL, verbose=True).fit(X)
    lines = capsys.readouterr().out.splitlines()
    # "ten lines": every max_iter // 10 = 3 iterations, and the last one.
    iterations = [int(re.search(r"iteration\s+(\d+)/", s).group(1)) for s in lines]
    assert iterations == sorted(set(range(0, model.n_iter_ + 1, 3)) | {model.n_iter_})
    assert len(lines) == 11 if model.n_iter_ == MAX_ITER else len(lines) <= 11


# --- validation, before any training -----------------------------------------------


@pytest.fixture
def no_training(monkeypatch):
    """Make any call of L-BFGS from the estimator fail loudly."""

    def forbidden(*args, **kwargs):
        raise AssertionError("L-BFGS ran: the input should have been rejected first")

    monkeypatch.setattr(estimator_module, "minimize_lbfgs", forbidden)


def test_the_guard_is_effective(X, no_training):
    # A valid fit does reach the optimizer, so the tests below can fail.
    with pytest.raises(AssertionError, match="L-BFGS ran"):
        SparseAutoencoder(**SMALL).fit(X)


def test_rejects_one_dimensional_X_with_a_hint(X, no_training):
    with pytest.raises(ValueError, match="reshape"):
        SparseAutoencoder(**SMALL).fit(X[0])


@pytest.mark.parametrize("shape", [(2, 3, 4), ()])
def test_rejects_X_that_is_not_2d(shape, no_training):
    with pytest.raises(ValueError, match="Expected 2D array|dim 3"):
        SparseAutoencoder(**SMALL).fit(np.full(shape, 0.5))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_rejects_nan_and_inf(X, bad, no_training):
    X = X.copy()
    X[4, 2] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        SparseAutoencoder(**SMALL).fit(X)


@pytest.mark.parametrize("bad", [-1e-9, -0.5, 1.0 + 1e-9, 2.0])
def test_fit_rejects_X_outside_the_unit_interval(X, bad, no_training):
    X = X.copy()
    X[7, 3] = bad
    with pytest.raises(ValueError, match=re.escape("[0, 1]")):
        SparseAutoencoder(**SMALL).fit(X)


def test_fit_accepts_the_ends_of_the_unit_interval(X):
    X = X.copy()
    X[0, 0], X[1, 1] = 0.0, 1.0
    model = SparseAutoencoder(**SMALL).set_params(max_iter=2).fit(X)
    assert np.all(np.isfinite(model.W1_))


@pytest.mark.parametrize(
    "X_bad", [np.full((5, 4), 0.5 + 0j), np.full((5, 4), "0.5"), np.full((5, 4), None)]
)
def test_rejects_X_that_is_not_real_numbers(X_bad, no_training):
    # scikit-learn's wording: complex data is a ValueError; strings, which numpy
    # converts to floats, are accepted by numpy but refused by check_array.
    with pytest.raises((TypeError, ValueError)):
        SparseAutoencoder(**SMALL).fit(X_bad)


@pytest.mark.parametrize("shape", [(0, N_FEATURES), (10, 0)])
def test_rejects_empty_X(shape, no_training):
    with pytest.raises(ValueError):
        SparseAutoencoder(**SMALL).fit(np.zeros(shape))


@pytest.mark.parametrize(
    "params, error",
    [
        ({"hidden_size": 0}, ValueError),
        ({"hidden_size": -3}, ValueError),
        ({"hidden_size": 2.0}, TypeError),
        ({"hidden_size": 2.5}, TypeError),
        ({"hidden_size": "5"}, TypeError),
        ({"hidden_size": None}, TypeError),
        ({"hidden_size": True}, TypeError),
        ({"sparsity_param": 0.0}, ValueError),
        ({"sparsity_param": 1.0}, ValueError),
        ({"sparsity_param": -0.1}, ValueError),
        ({"sparsity_param": 1.5}, ValueError),
        ({"sparsity_param": np.nan}, ValueError),
        ({"beta": -1.0}, ValueError),
        ({"beta": np.nan}, ValueError),
        ({"beta": np.inf}, ValueError),
        ({"lambda_": -1e-4}, ValueError),
        ({"lambda_": np.nan}, ValueError),
        ({"n_threads": 0}, ValueError),
        ({"n_threads": 1.5}, TypeError),
        ({"n_threads": True}, TypeError),
    ],
)
def test_rejects_bad_hyperparameters_before_training(X, params, error, no_training):
    model = SparseAutoencoder(**{**SMALL, **params})
    with pytest.raises(error):
        model.fit(X)
    assert not hasattr(model, "W1_")


@pytest.mark.parametrize(
    "params, error",
    [
        ({"max_iter": 0}, ValueError),
        ({"max_iter": -5}, ValueError),
        ({"max_iter": 2.5}, TypeError),
        ({"verbose": "yes"}, ValueError),
        ({"verbose": -1}, ValueError),
    ],
)
def test_rejects_bad_training_options(X, params, error):
    model = SparseAutoencoder(**{**SMALL, **params})
    with pytest.raises(error):
        model.fit(X)
    assert not hasattr(model, "W1_")


def test_accepts_zero_penalties(X):
    model = SparseAutoencoder(**SMALL, beta=0.0, lambda_=0.0).set_params(max_iter=3)
    assert np.all(np.isfinite(model.fit(X).W1_))


@pytest.mark.parametrize("method", ["transform", "reconstruct"])
def test_transform_before_fit_is_an_error(X, method):
    with pytest.raises(ValueError, match="not fitted"):
        getattr(SparseAutoencoder(**SMALL), method)(X)


@pytest.mark.parametrize("method", ["transform", "reconstruct"])
@pytest.mark.parametrize("n_features", [N_FEATURES - 1, N_FEATURES + 1, 1])
def test_transform_rejects_the_wrong_number_of_features(fitted, method, n_features):
    with pytest.raises(ValueError, match=f"{n_features} features"):
        getattr(fitted, method)(np.full((4, n_features), 0.5))


@pytest.mark.parametrize("method", ["transform", "reconstruct"])
def test_transform_rejects_one_dimensional_and_nan_X(X, fitted, method):
    with pytest.raises(ValueError, match="reshape"):
        getattr(fitted, method)(X[0])
    bad = X[:3].copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        getattr(fitted, method)(bad)


# --- other input types -------------------------------------------------------------


def test_accepts_a_list_of_lists(X, fitted):
    rows = X.tolist()
    assert isinstance(rows[0], list)
    model = SparseAutoencoder(**SMALL, random_state=3).fit(rows)
    np.testing.assert_array_equal(model.W1_, fitted.W1_)
    np.testing.assert_array_equal(model.transform(rows[:5]), fitted.transform(X[:5]))
    np.testing.assert_array_equal(
        model.reconstruct(rows[:5]), fitted.reconstruct(X[:5])
    )


def test_accepts_integers_and_float32():
    rng = np.random.default_rng(5)
    binary = rng.integers(0, 2, (60, 9))
    a = SparseAutoencoder(hidden_size=3, max_iter=5).fit(binary)
    b = SparseAutoencoder(hidden_size=3, max_iter=5).fit(binary.astype(np.float64))
    np.testing.assert_array_equal(a.W1_, b.W1_)
    X32 = rng.uniform(0, 1, (60, 9)).astype(np.float32)
    c = SparseAutoencoder(hidden_size=3, max_iter=5).fit(X32)
    d = SparseAutoencoder(hidden_size=3, max_iter=5).fit(X32.astype(np.float64))
    np.testing.assert_array_equal(c.W1_, d.W1_)
    assert c.W1_.dtype == np.float64


def test_refit_on_other_data_replaces_everything(X):
    model = SparseAutoencoder(**SMALL).fit(X)
    small = make_X(seed=2, n=40, d=9)
    model.fit(small)
    assert model.n_features_in_ == 9
    assert model.W1_.shape == (HIDDEN, 9)
    assert model.transform(small).shape == (40, HIDDEN)
    with pytest.raises(ValueError, match=f"{N_FEATURES} features"):
        model.transform(X)
