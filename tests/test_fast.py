"""saelib.fast (appendix B) against chapter 5's sparse_autoencoder_cost."""

import warnings

import numpy as np
import pytest

from saelib import initialize_parameters, sparse_autoencoder_cost
from saelib.fast import _block_size, sparse_autoencoder_cost_fast


def problem(visible, hidden, m, seed=0):
    rng = np.random.default_rng(seed)
    theta = initialize_parameters(hidden, visible, rng=rng)
    theta[2 * hidden * visible :] = rng.normal(size=hidden + visible)
    return theta, rng.uniform(0, 1, size=(visible, m))


@pytest.mark.parametrize(
    "visible, hidden, m",
    # m = 1; one hidden unit; m not a multiple of the block; several blocks
    [(16, 3, 1), (5, 1, 7), (30, 7, 4099), (64, 25, 3000), (100, 40, 1100)],
)
@pytest.mark.parametrize("lambda_, rho, beta", [(0.0, 0.1, 0.0), (1e-3, 0.05, 3.0)])
def test_equals_the_reference_in_float64(visible, hidden, m, lambda_, rho, beta):
    theta, data = problem(visible, hidden, m)
    cost, grad = sparse_autoencoder_cost_fast(
        theta, visible, hidden, lambda_, rho, beta, data
    )
    cost_ref, grad_ref = sparse_autoencoder_cost(
        theta, visible, hidden, lambda_, rho, beta, data
    )
    assert type(cost) is float and grad.dtype == np.float64
    assert cost == pytest.approx(cost_ref, rel=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-10, atol=1e-13)


def test_float32_data_computes_in_float32_close_to_float64():
    theta, data = problem(64, 25, 2000)
    cost32, grad32 = sparse_autoencoder_cost_fast(
        theta, 64, 25, 1e-4, 0.01, 3.0, data.astype(np.float32)
    )
    cost64, grad64 = sparse_autoencoder_cost(theta, 64, 25, 1e-4, 0.01, 3.0, data)
    assert grad32.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    scale = np.abs(grad64).max()
    np.testing.assert_allclose(grad32, grad64, rtol=0, atol=1e-4 * scale)


def test_does_not_modify_its_inputs():
    theta, data = problem(20, 4, 1500)
    theta0, data0 = theta.copy(), data.copy()
    sparse_autoencoder_cost_fast(theta, 20, 4, 1e-3, 0.05, 3.0, data)
    np.testing.assert_array_equal(theta, theta0)
    np.testing.assert_array_equal(data, data0)


def test_saturated_units_are_finite_and_silent():
    theta, data = problem(16, 3, 50)
    theta[2 * 3 * 16 : 2 * 3 * 16 + 3] = [-800.0, 800.0, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = sparse_autoencoder_cost_fast(theta, 16, 3, 1e-3, 0.05, 3.0, data)
    ref_cost, ref_grad = sparse_autoencoder_cost(theta, 16, 3, 1e-3, 0.05, 3.0, data)
    assert np.isfinite(cost) and np.all(np.isfinite(grad))
    assert cost == pytest.approx(ref_cost, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(sparsity_param=0.0), "sparsity_param"),
        (dict(sparsity_param=1.0), "sparsity_param"),
        (dict(lambda_=-1.0), "lambda_"),
        (dict(beta=-0.5), "beta"),
        (dict(theta=np.zeros(5)), "theta"),
        (dict(data=np.full((9, 4), 0.5)), "data"),
        (dict(data=np.full(8, 0.5)), "data"),
        (dict(data=np.array([[0.5, np.nan]] * 8)), "NaN"),
        (dict(data=np.array([[0.5, np.inf]] * 8)), "inf"),
        (dict(data=np.full((8, 4), 1.5)), r"\[0, 1\]"),
    ],
)
def test_bad_input_gets_the_reference_errors(change, name):
    theta, data = problem(8, 3, 4)
    arguments = dict(
        theta=theta,
        visible_size=8,
        hidden_size=3,
        lambda_=1e-3,
        sparsity_param=0.1,
        beta=3.0,
        data=data,
    )
    arguments.update(change)
    with pytest.raises(ValueError, match=name):
        sparse_autoencoder_cost_fast(**arguments)
    with pytest.raises(ValueError, match=name):
        sparse_autoencoder_cost(**arguments)


def test_block_size_is_a_power_of_two_within_bounds():
    for visible, hidden in [(1, 1), (64, 25), (784, 196), (64, 400), (10_000, 10_000)]:
        for itemsize in (4, 8):
            block = _block_size(visible, hidden, itemsize)
            assert 512 <= block <= 4096 and block & (block - 1) == 0
