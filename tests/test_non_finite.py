"""Never success with a non-finite result (issue 12): every trainer stops with an
error that names the iteration when its cost or gradient stops being finite.

The trainers are made to meet a NaN by replacing the cost they optimize with one
that turns NaN after a few evaluations; each must raise FloatingPointError instead
of returning NaN weights with a record that looks like a finished run.
"""

import numpy as np
import pytest

import saelib
import saelib.softmax as softmax_module
import saelib.stacked as stacked_module
from saelib import (
    Adam,
    NetConfig,
    SparseAutoencoder,
    initialize_parameters,
    softmax_train,
    stacked_ae_train,
)


def turns_nan_after(cost, n_good):
    """Wrap a cost function: its first n_good evaluations are real, then NaN."""
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(None)
        value, grad = cost(*args, **kwargs)
        return (np.nan if len(calls) > n_good else value), grad

    return wrapped


def test_softmax_train_stops_when_the_cost_turns_nan(monkeypatch):
    monkeypatch.setattr(
        softmax_module,
        "_softmax_cost",
        turns_nan_after(softmax_module._softmax_cost, 5),
    )
    rng = np.random.default_rng(0)
    data, labels = rng.normal(size=(4, 30)), np.arange(30) % 3
    with pytest.raises(FloatingPointError, match=r"cost became nan at iteration \d+"):
        softmax_train(4, 3, 1e-4, data, labels, max_iter=50)


def test_stacked_ae_train_stops_when_the_cost_turns_nan(monkeypatch):
    monkeypatch.setattr(
        stacked_module,
        "_stacked_ae_cost",
        turns_nan_after(stacked_module._stacked_ae_cost, 3),
    )
    rng = np.random.default_rng(1)
    config = NetConfig(4, (3,))
    n_params = 3 * 4 + 3 + 2 * 3  # one layer (W, b), then the softmax (2 x 3)
    theta0 = 0.1 * rng.normal(size=n_params)
    data, labels = rng.uniform(size=(4, 20)), np.arange(20) % 2
    with pytest.raises(FloatingPointError, match="minimize_lbfgs: the cost became nan"):
        stacked_ae_train(theta0, config, 2, 1e-4, data, labels, max_iter=30)


@pytest.mark.parametrize("name", ["chapter5_objective", "SparseAutoencoderObjective"])
def test_sparse_autoencoder_fit_stops_when_the_cost_turns_nan(name):
    real = getattr(saelib, name)

    def objective(*args, **kwargs):
        return turns_nan_after(real(*args, **kwargs), 4)

    X = np.random.default_rng(2).uniform(0.1, 0.9, size=(30, 6))
    model = SparseAutoencoder(hidden_size=3, max_iter=50, objective=objective)
    with pytest.raises(FloatingPointError, match="at iteration"):
        model.fit(X)
    assert not hasattr(model, "W1_")  # nothing that looks fitted is left behind


def test_adam_refuses_a_nan_gradient_before_changing_anything():
    params = {"w": np.ones(3)}
    optimizer = Adam(params, learning_rate=0.1)
    optimizer.step({"w": np.ones(3)})
    before = params["w"].copy()
    with pytest.raises(FloatingPointError, match=r"Adam step 2: grads\['w'\]"):
        optimizer.step({"w": np.array([1.0, np.nan, 1.0])})
    assert np.array_equal(params["w"], before) and optimizer.t == 1


def test_a_starting_point_from_initialize_parameters_is_finite():
    """The reference point of the tests above: a real start, not a NaN one."""
    assert np.all(np.isfinite(initialize_parameters(3, 6, rng=0)))
