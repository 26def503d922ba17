"""Unit tests of saelib.backprop (chapter 2: the cost and its gradient by backprop).

References are independent of saelib: the loop implementation in tests/reference.py,
central differences computed here, and closed forms (zero weights, weight decay).
"""

import math
import warnings

import numpy as np
import pytest
import reference as ref
from reference import n_params, numerical_gradient, problem

backprop = pytest.importorskip("saelib.backprop")
autoencoder_cost = backprop.autoencoder_cost

# (visible, hidden, m): includes m = 1 and hidden = 1.
SHAPES = [(1, 1, 1), (3, 1, 4), (4, 2, 1), (5, 3, 7), (6, 4, 5), (2, 6, 3)]
LAMBDAS = [0.0, 1e-3, 0.3]


def weight_norm_squared(theta, visible, hidden):
    """||W1||^2 + ||W2||^2 from the first 2*h*v entries of theta (the weights)."""
    return sum(float(t) ** 2 for t in theta[: 2 * hidden * visible])


def test_public_api_exports_autoencoder_cost():
    import saelib

    assert "autoencoder_cost" in saelib.__all__
    assert saelib.autoencoder_cost is autoencoder_cost


# --- agreement with the loop reference ---------------------------------------------


@pytest.mark.parametrize("lambda_", LAMBDAS)
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_cost_and_grad_match_loop_reference(visible, hidden, m, lambda_):
    theta, data = problem(visible * 100 + hidden * 10 + m, visible, hidden, m, 2.0)
    cost, grad = autoencoder_cost(theta, visible, hidden, lambda_, data)
    ref_cost, ref_grad = ref.autoencoder_cost(theta, visible, hidden, lambda_, data)
    assert np.ndim(cost) == 0
    assert float(cost) == pytest.approx(ref_cost, rel=1e-10, abs=0)
    assert grad.shape == theta.shape
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-14)


def test_cost_is_a_python_float():
    theta, data = problem(1, 4, 2, 3)
    cost, _ = autoencoder_cost(theta, 4, 2, 0.1, data)
    assert isinstance(cost, float)


# --- agreement with central differences ----------------------------------------------


@pytest.mark.parametrize("lambda_", [0.0, 0.1])
@pytest.mark.parametrize("scale", [0.5, 3.0])
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_grad_matches_central_differences(visible, hidden, m, lambda_, scale):
    theta, data = problem(7 + visible + hidden + m, visible, hidden, m, scale)
    _, grad = autoencoder_cost(theta, visible, hidden, lambda_, data)

    def cost(t):
        return autoencoder_cost(t, visible, hidden, lambda_, data)[0]

    # eps = 1e-5 balances truncation (~eps^2) and rounding (~1e-16 / eps) errors.
    numerical = numerical_gradient(cost, theta, eps=1e-5)
    relative = np.linalg.norm(numerical - grad) / np.linalg.norm(numerical + grad)
    assert relative < 1e-9


# --- closed forms --------------------------------------------------------------------


@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_zero_theta_closed_form(visible, hidden, m):
    # theta = 0: a2 = f(0) = 1/2 and a3 = 1/2 for every example, so
    # J = (1/m) sum 0.5 ||1/2 - x||^2; delta3 = -(x - 1/2) / 4, delta2 = W2^T delta3 *
    # ... = 0, so dW1 = db1 = 0, db2 = mean(delta3) and dW2[i, j] = db2[i] / 2.
    _, data = problem(3, visible, hidden, m)
    theta = np.zeros(n_params(visible, hidden))
    cost, grad = autoencoder_cost(theta, visible, hidden, 0.7, data)
    expected_cost = 0.5 * float(np.sum((0.5 - data) ** 2)) / m
    assert cost == pytest.approx(expected_cost, rel=1e-12)
    db2 = np.mean(-(data - 0.5) * 0.25, axis=1)
    hv = hidden * visible
    np.testing.assert_allclose(grad[:hv], 0.0, atol=1e-15)  # W1
    np.testing.assert_allclose(
        grad[hv : 2 * hv], np.repeat(db2 / 2.0, hidden), rtol=1e-12, atol=1e-15
    )  # W2, row i is (visible unit i) x (hidden units)
    np.testing.assert_allclose(grad[2 * hv : 2 * hv + hidden], 0.0, atol=1e-15)  # b1
    np.testing.assert_allclose(grad[2 * hv + hidden :], db2, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("lambda_", [1e-4, 0.01, 2.5])
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_weight_decay_closed_form(visible, hidden, m, lambda_):
    theta, data = problem(11, visible, hidden, m, 1.5)
    cost0, grad0 = autoencoder_cost(theta, visible, hidden, 0.0, data)
    cost1, grad1 = autoencoder_cost(theta, visible, hidden, lambda_, data)
    # J(lambda) - J(0) = lambda / 2 (||W1||^2 + ||W2||^2), biases not decayed.
    decay = 0.5 * lambda_ * weight_norm_squared(theta, visible, hidden)
    assert cost1 - cost0 == pytest.approx(decay, rel=1e-9, abs=1e-15)
    # grad(lambda) - grad(0) = lambda * W on the weights and 0 on the biases.
    n_weights = 2 * hidden * visible
    scale = max(1.0, float(np.max(np.abs(grad0))))
    np.testing.assert_allclose(
        grad1[:n_weights] - grad0[:n_weights],
        lambda_ * theta[:n_weights],
        rtol=1e-12,
        atol=1e-15 * scale,
    )
    np.testing.assert_allclose(
        grad1[n_weights:], grad0[n_weights:], rtol=0, atol=1e-15 * scale
    )


def test_biases_are_not_decayed():
    # Changing only the biases leaves the decay term untouched: J(lambda) - J(0)
    # is the same for two thetas that differ only in their biases.
    visible, hidden, m, lambda_ = 4, 3, 5, 0.8
    theta, data = problem(12, visible, hidden, m)
    other = theta.copy()
    other[2 * hidden * visible :] += 10.0
    d1 = (
        autoencoder_cost(theta, visible, hidden, lambda_, data)[0]
        - autoencoder_cost(theta, visible, hidden, 0.0, data)[0]
    )
    d2 = (
        autoencoder_cost(other, visible, hidden, lambda_, data)[0]
        - autoencoder_cost(other, visible, hidden, 0.0, data)[0]
    )
    assert d1 == pytest.approx(d2, rel=1e-10)


def test_cost_is_a_mean_over_examples():
    # Repeating every example leaves J unchanged (the data term is an average).
    visible, hidden, m = 5, 3, 4
    theta, data = problem(13, visible, hidden, m)
    cost, grad = autoencoder_cost(theta, visible, hidden, 0.05, data)
    cost2, grad2 = autoencoder_cost(
        theta, visible, hidden, 0.05, np.concatenate([data, data, data], axis=1)
    )
    assert cost2 == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(grad2, grad, rtol=1e-11, atol=1e-15)


def test_cost_sums_over_examples_in_any_order():
    visible, hidden, m = 4, 2, 6
    theta, data = problem(14, visible, hidden, m)
    permuted = data[:, np.random.default_rng(0).permutation(m)]
    cost, grad = autoencoder_cost(theta, visible, hidden, 0.1, data)
    cost_p, grad_p = autoencoder_cost(theta, visible, hidden, 0.1, permuted)
    assert cost_p == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(grad_p, grad, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("lambda_", [0.0, 0.1])
@pytest.mark.parametrize("seed", range(5))
def test_cost_is_nonnegative(seed, lambda_):
    visible, hidden, m = 6, 4, 5
    theta, data = problem(seed, visible, hidden, m, 4.0)
    cost, _ = autoencoder_cost(theta, visible, hidden, lambda_, data)
    assert cost >= 0.0
    assert math.isfinite(cost)


def test_inputs_are_not_modified():
    visible, hidden, m = 5, 3, 4
    theta, data = problem(15, visible, hidden, m)
    theta_before, data_before = theta.copy(), data.copy()
    autoencoder_cost(theta, visible, hidden, 0.1, data)
    np.testing.assert_array_equal(theta, theta_before)
    np.testing.assert_array_equal(data, data_before)


def test_grad_is_a_fresh_array():
    # Two calls must not share (and overwrite) one gradient buffer.
    visible, hidden, m = 4, 3, 2
    theta, data = problem(16, visible, hidden, m)
    _, grad1 = autoencoder_cost(theta, visible, hidden, 0.1, data)
    saved = grad1.copy()
    autoencoder_cost(-theta, visible, hidden, 0.5, 1.0 - data)
    np.testing.assert_array_equal(grad1, saved)
    assert not np.shares_memory(grad1, theta)


def test_no_warnings_with_saturated_units():
    # Huge weights saturate every sigmoid; the cost and gradient stay finite.
    visible, hidden, m = 6, 4, 3
    theta, data = problem(17, visible, hidden, m, scale=1e4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = autoencoder_cost(theta, visible, hidden, 1e-4, data)
    assert math.isfinite(cost)
    assert np.all(np.isfinite(grad))


# --- bad input -------------------------------------------------------------------


@pytest.fixture
def valid():
    visible, hidden, m = 4, 3, 5
    theta, data = problem(18, visible, hidden, m)
    return theta, visible, hidden, data


@pytest.mark.parametrize("delta", [-1, 1])
def test_rejects_theta_of_wrong_length(valid, delta):
    theta, visible, hidden, data = valid
    bad = np.zeros(theta.size + delta)
    with pytest.raises(ValueError, match="theta"):
        autoencoder_cost(bad, visible, hidden, 0.1, data)


@pytest.mark.parametrize("delta", [-1, 1])
def test_rejects_data_with_wrong_number_of_rows(valid, delta):
    theta, visible, hidden, data = valid
    bad = np.random.default_rng(0).uniform(0, 1, (visible + delta, data.shape[1]))
    with pytest.raises(ValueError, match="data"):
        autoencoder_cost(theta, visible, hidden, 0.1, bad)


def test_rejects_one_dimensional_data(valid):
    theta, visible, hidden, data = valid
    with pytest.raises(ValueError, match="data"):
        autoencoder_cost(theta, visible, hidden, 0.1, data[:, 0])


def test_rejects_nan_in_data(valid):
    theta, visible, hidden, data = valid
    bad = data.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="data"):
        autoencoder_cost(theta, visible, hidden, 0.1, bad)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_rejects_inf_in_data(valid, value):
    theta, visible, hidden, data = valid
    bad = data.copy()
    bad[0, -1] = value
    with pytest.raises(ValueError, match="data"):
        autoencoder_cost(theta, visible, hidden, 0.1, bad)


def test_rejects_nan_in_theta(valid):
    theta, visible, hidden, data = valid
    bad = theta.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="theta"):
        autoencoder_cost(bad, visible, hidden, 0.1, data)


@pytest.mark.parametrize("lambda_", [-1e-8, -0.5])
def test_rejects_negative_lambda(valid, lambda_):
    theta, visible, hidden, data = valid
    with pytest.raises(ValueError, match="lambda_"):
        autoencoder_cost(theta, visible, hidden, lambda_, data)


# --- reliability (issue 12) ------------------------------------------------------


@pytest.mark.parametrize("name", ["theta", "data"])
def test_autoencoder_cost_refuses_complex_theta_or_data(name):
    theta, data = problem(3, 4, 2, 5)
    arrays = {"theta": theta, "data": data}
    arrays[name] = arrays[name] + 0j
    with pytest.raises(TypeError, match=f"{name} must hold real numbers.*complex"):
        autoencoder_cost(arrays["theta"], 4, 2, 1e-4, arrays["data"])


@pytest.mark.parametrize("lambda_", ["1e-4", True, None, np.array(1e-4)])
def test_autoencoder_cost_refuses_lambda_that_is_not_a_number(lambda_):
    theta, data = problem(3, 4, 2, 5)
    with pytest.raises(TypeError, match="lambda_ must be a real number"):
        autoencoder_cost(theta, 4, 2, lambda_, data)


def test_autoencoder_cost_refuses_data_without_examples():
    theta, _ = problem(3, 4, 2, 5)
    with pytest.raises(ValueError, match="m >= 1"):
        autoencoder_cost(theta, 4, 2, 1e-4, np.zeros((4, 0)))
