"""saelib.fast (appendix B) against chapter 5's sparse_autoencoder_cost."""

import itertools
import threading
import warnings

import numpy as np
import pytest
from reference import numerical_gradient_fourth_order
from threadpoolctl import threadpool_info, threadpool_limits

from saelib import initialize_parameters, sparse_autoencoder_cost
from saelib.blocks import block_size
from saelib.fast import (
    SparseAutoencoderObjective,
    _block_columns,
    sparse_autoencoder_cost_fast,
)
from saelib.sparse_autoencoder import RHO_HAT_EPS


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


def _rho_hat(theta, visible, hidden, data):
    """Average hidden activations in float64, computed here with numpy."""
    hv = hidden * visible
    W1, b1 = theta[:hv].reshape(hidden, visible), theta[2 * hv : 2 * hv + hidden]
    return (1 / (1 + np.exp(-(W1 @ data + b1[:, None])))).mean(axis=1)


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("depth", [20.0, 30.0])
def test_float32_cost_equals_the_float64_reference_at_saturated_units(depth, n_threads):
    # Units at b1 = +depth have rho_hat = 1 (to float32's spacing below 1, 6e-8) in
    # float32 and 1 - 1e-9 or closer in float64; at -depth about 1e-9 in both. The
    # penalty must not depend on the precision: float32 agrees with chapter 5's
    # float64 function to float32 rounding.
    visible, hidden, m = 64, 25, 2000
    theta, data = problem(visible, hidden, m)
    hv = hidden * visible
    theta[2 * hv : 2 * hv + 10] = [depth, -depth] * 5
    rho_hat = _rho_hat(theta, visible, hidden, data)[:10]
    assert np.all(rho_hat[::2] > 1 - RHO_HAT_EPS) and np.all(rho_hat[1::2] < 1e-8)
    args = (visible, hidden, 1e-4, 0.01, 3.0)
    cost64, grad64 = sparse_autoencoder_cost(theta, *args, data)
    objective = SparseAutoencoderObjective(*args, data.astype(np.float32), n_threads)
    cost32, grad32 = objective(theta)
    assert cost32 == pytest.approx(cost64, rel=1e-6)
    gap = np.linalg.norm(grad32 - grad64) / np.linalg.norm(grad64)
    assert gap < 1e-5


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize(
    "biases", [[20.0, -20.0, -20.0, 0.5], [30.0, -30.0, -30.0, 0.5], [-30.0] * 4]
)
def test_grad_matches_central_differences_with_saturated_units(biases, n_threads):
    # rho_hat in the outer pieces of chapter 5's eq-kl-safe: the gradient must be
    # the gradient of the cost returned there too. Fourth-order differences, since
    # the saturated units' penalties make the cost large next to its gradient.
    visible, hidden, m = 8, 4, 30
    theta, data = problem(visible, hidden, m, seed=3)
    hv = hidden * visible
    theta[2 * hv : 2 * hv + hidden] = biases
    rho_hat = _rho_hat(theta, visible, hidden, data)
    saturated = np.abs(biases) >= 20
    assert np.all(
        (rho_hat[saturated] < RHO_HAT_EPS) | (rho_hat[saturated] > 1 - RHO_HAT_EPS)
    )
    objective = SparseAutoencoderObjective(
        visible, hidden, 1e-3, 0.05, 3.0, data, n_threads
    )
    _, grad = objective(theta)
    numerical = numerical_gradient_fourth_order(lambda t: objective(t)[0], theta, 3e-3)
    relative = np.linalg.norm(numerical - grad) / np.linalg.norm(numerical + grad)
    assert relative < 1e-9


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
            block = block_size(visible, hidden, itemsize)
            assert 512 <= block <= 4096 and block & (block - 1) == 0


# ---------------------------------------------------------------- the objective


@pytest.mark.parametrize(
    "visible, hidden, m", [(16, 3, 1), (5, 1, 7), (30, 7, 4099), (64, 25, 3000)]
)
@pytest.mark.parametrize("n_threads", [1, 2, 3, 7])
def test_objective_equals_the_reference_on_every_call(visible, hidden, m, n_threads):
    theta, data = problem(visible, hidden, m)
    objective = SparseAutoencoderObjective(
        visible, hidden, 1e-3, 0.05, 3.0, data, n_threads=n_threads
    )
    rng = np.random.default_rng(1)
    for _ in range(3):  # later calls reuse the buffers of earlier ones
        cost, grad = objective(theta)
        cost_ref, grad_ref = sparse_autoencoder_cost(
            theta, visible, hidden, 1e-3, 0.05, 3.0, data
        )
        assert cost == pytest.approx(cost_ref, rel=1e-12)
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-10, atol=1e-13)
        theta = theta + 0.1 * rng.normal(size=theta.shape)


def test_objective_keeps_its_own_copy_of_the_data():
    theta, data = problem(20, 4, 1500)
    objective = SparseAutoencoderObjective(20, 4, 1e-3, 0.05, 3.0, data)
    expected = sparse_autoencoder_cost(theta, 20, 4, 1e-3, 0.05, 3.0, data)
    data[:] = 0.5  # the caller's array changes; the objective's copy does not
    cost, grad = objective(theta)
    assert cost == pytest.approx(expected[0], rel=1e-12)
    np.testing.assert_allclose(grad, expected[1], rtol=1e-10, atol=1e-13)


def test_objective_in_float32():
    theta, data = problem(64, 25, 2000)
    objective = SparseAutoencoderObjective(
        64, 25, 1e-4, 0.01, 3.0, data.astype(np.float32), n_threads=2
    )
    cost32, grad32 = objective(theta)
    cost64, grad64 = sparse_autoencoder_cost(theta, 64, 25, 1e-4, 0.01, 3.0, data)
    assert objective.dtype == np.float32 and grad32.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=0, atol=1e-4 * np.abs(grad64).max())


@pytest.mark.parametrize(
    "n_threads, error",
    [
        (0, ValueError),
        (-2, ValueError),
        (1.5, TypeError),
        (True, TypeError),
        ("2", TypeError),
        (None, TypeError),
    ],
)
def test_objective_rejects_bad_thread_counts(n_threads, error):
    _, data = problem(8, 3, 4)
    with pytest.raises(error, match="n_threads"):
        SparseAutoencoderObjective(8, 3, 1e-3, 0.1, 3.0, data, n_threads=n_threads)


def test_objective_checks_the_data_once_and_theta_at_every_call():
    theta, data = problem(8, 3, 4)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SparseAutoencoderObjective(8, 3, 1e-3, 0.1, 3.0, data + 1.0)
    objective = SparseAutoencoderObjective(8, 3, 1e-3, 0.1, 3.0, data)
    with pytest.raises(ValueError, match="theta"):
        objective(theta[:-1])
    with pytest.raises(ValueError, match="NaN or inf"):
        objective(np.full_like(theta, np.nan))
    assert "m=4" in repr(objective) and "n_threads=1" in repr(objective)


def test_threads_share_the_blocks_with_blas_on_one_thread(monkeypatch):
    theta, data = problem(64, 25, 20_000)
    objective = SparseAutoencoderObjective(64, 25, 1e-4, 0.01, 3.0, data, n_threads=2)
    seen = []
    original = SparseAutoencoderObjective._hidden_pass

    def spy(self, thread, minus_w1):
        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        seen.append((thread, threading.current_thread().name, max(blas)))
        return original(self, thread, minus_w1)

    monkeypatch.setattr(SparseAutoencoderObjective, "_hidden_pass", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        objective(theta)
        after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    names = dict(s[:2] for s in seen)
    assert sorted(names) == [0, 1]
    assert names[0] == threading.current_thread().name  # the caller takes run 0
    assert names[1].startswith("saelib")  # a pool thread takes run 1
    assert all(blas == 1 for _, _, blas in seen)
    assert max(after) == 2  # restored after the call


@pytest.mark.parametrize("m", [1, 2, 511, 512, 513, 10_000, 100_001])
@pytest.mark.parametrize("visible, hidden", [(64, 25), (784, 196), (3, 1)])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_block_columns_cover_every_column_once_in_balanced_runs(
    m, visible, hidden, n_threads
):
    runs = _block_columns(m, visible, hidden, 8, n_threads)
    blocks = [block for run in runs for block in run]
    assert len(runs) == min(n_threads, m)
    assert blocks[0][0] == 0 and blocks[-1][1] == m
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    widths = [stop - start for start, stop in blocks]
    assert min(widths) >= 1 and max(widths) - min(widths) <= 1
    target = block_size(visible, hidden, 8)
    if n_threads > 1:  # larger blocks, fewer Python steps between numpy calls
        target = max(target, (1 << 18) // (visible + hidden))
    assert max(widths) <= target
    assert len({len(run) for run in runs}) == 1  # the threads finish together
