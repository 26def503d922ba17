"""Unit tests of saelib.sparse_autoencoder (chapter 5: the sparsity penalty).

References are independent of saelib: the loop implementation
``reference.sparse_cost_and_grad`` (written from the notes' math), central
differences computed here, ``math.log`` closed forms of the KL divergence, and the
chapter 2 cost, which the sparse cost must reduce to when ``beta = 0``.
"""

import math
import warnings

import numpy as np
import pytest
import reference as ref
from reference import numerical_gradient, problem

from saelib import initialize_parameters

sparse = pytest.importorskip("saelib.sparse_autoencoder")
sparse_autoencoder_cost = sparse.sparse_autoencoder_cost
kl_divergence = sparse.kl_divergence
kl_penalty = sparse.kl_penalty
EPS = sparse.RHO_HAT_EPS

# (visible, hidden, m): includes m = 1 and hidden = 1.
SHAPES = [(1, 1, 1), (3, 1, 4), (4, 2, 1), (5, 3, 7), (6, 4, 5), (2, 6, 3)]
# (lambda_, sparsity_param, beta): includes beta = 0 and lambda_ = 0.
PENALTIES = [(0.0, 0.1, 3.0), (1e-3, 0.05, 0.0), (0.3, 0.5, 1.0), (1e-4, 0.9, 0.5)]


def rho_hat_reference(theta, visible, hidden, data):
    """Average hidden activations from the loop forward pass (unclipped)."""
    W1, W2, b1, b2 = ref.split_theta(theta, visible, hidden)
    a2, _ = ref.forward(W1, b1, W2, b2, data)
    return [float(np.sum(row)) / data.shape[1] for row in a2]


def test_public_api_exports_the_sparse_cost_and_kl():
    import saelib

    assert "sparse_autoencoder_cost" in saelib.__all__
    assert "kl_divergence" in saelib.__all__
    assert saelib.sparse_autoencoder_cost is sparse_autoencoder_cost
    assert saelib.kl_divergence is kl_divergence


# --- agreement with the loop reference ---------------------------------------------


@pytest.mark.parametrize(("lambda_", "rho", "beta"), PENALTIES)
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_cost_and_grad_match_loop_reference(visible, hidden, m, lambda_, rho, beta):
    theta, data = problem(visible * 100 + hidden * 10 + m, visible, hidden, m, 2.0)
    cost, grad = sparse_autoencoder_cost(
        theta, visible, hidden, lambda_, rho, beta, data
    )
    ref_cost, ref_grad = ref.sparse_cost_and_grad(
        theta, visible, hidden, lambda_, rho, beta, data
    )
    assert cost == pytest.approx(ref_cost, rel=1e-10, abs=0)
    assert grad.shape == theta.shape
    scale = max(1.0, float(np.max(np.abs(ref_grad))))
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-14 * scale)


@pytest.mark.parametrize("beta", [0.1, 2.0])
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_sparsity_term_of_the_cost_is_beta_times_summed_kl(visible, hidden, m, beta):
    # J(beta) - J(0) = beta sum_j KL(rho || rho_hat_j), rho_hat from the loop forward.
    theta, data = problem(21 + m, visible, hidden, m, 1.5)
    rho, lambda_ = 0.2, 0.01
    cost0, _ = sparse_autoencoder_cost(theta, visible, hidden, lambda_, rho, 0.0, data)
    cost1, _ = sparse_autoencoder_cost(theta, visible, hidden, lambda_, rho, beta, data)
    rho_hat = rho_hat_reference(theta, visible, hidden, data)
    penalty = beta * sum(ref.kl_divergence(rho, q) for q in rho_hat)
    assert cost1 - cost0 == pytest.approx(penalty, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_sparsity_gradient_vanishes_when_every_rho_hat_equals_rho(visible, hidden, m):
    # W1 = 0 and b1 = logit(rho): every hidden activation is rho, so rho_hat = rho,
    # the sparsity term -rho/rho_hat + (1-rho)/(1-rho_hat) is 0, KL is 0, and the
    # cost and gradient are those of beta = 0, however large beta is.
    rho = 0.15
    theta, data = problem(31 + m, visible, hidden, m)
    hv = hidden * visible
    theta[:hv] = 0.0
    theta[2 * hv : 2 * hv + hidden] = math.log(rho / (1.0 - rho))
    cost0, grad0 = sparse_autoencoder_cost(theta, visible, hidden, 0.1, rho, 0.0, data)
    cost1, grad1 = sparse_autoencoder_cost(theta, visible, hidden, 0.1, rho, 50.0, data)
    assert cost1 == pytest.approx(cost0, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(grad1, grad0, rtol=1e-10, atol=1e-13)


# --- agreement with central differences ----------------------------------------------


@pytest.mark.parametrize(
    ("lambda_", "rho", "beta"), [(0.0, 0.1, 3.0), (0.1, 0.05, 0.5), (1e-3, 0.7, 1.0)]
)
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_grad_matches_central_differences(visible, hidden, m, lambda_, rho, beta):
    theta, data = problem(7 + visible + hidden + m, visible, hidden, m, 1.0)
    assert np.all(theta[2 * hidden * visible :] != 0.0)  # non-zero biases
    _, grad = sparse_autoencoder_cost(theta, visible, hidden, lambda_, rho, beta, data)

    def cost(t):
        return sparse_autoencoder_cost(t, visible, hidden, lambda_, rho, beta, data)[0]

    # eps = 1e-5 balances truncation (~eps^2) and rounding (~1e-16 / eps) errors.
    numerical = numerical_gradient(cost, theta, eps=1e-5)
    relative = np.linalg.norm(numerical - grad) / np.linalg.norm(numerical + grad)
    assert relative < 1e-9


def test_central_differences_reject_the_sparsity_term_outside_f_prime():
    # The check above can fail: adding the sparsity term after the product with
    # f'(z) (a classic slip) gives a gradient central differences disagree with.
    visible, hidden, m, lambda_, rho, beta = 5, 3, 4, 0.0, 0.1, 3.0
    theta, data = problem(41, visible, hidden, m)
    _, grad = sparse_autoencoder_cost(theta, visible, hidden, lambda_, rho, beta, data)
    rho_hat = np.array(rho_hat_reference(theta, visible, hidden, data))
    W1, W2, b1, b2 = ref.split_theta(theta, visible, hidden)
    a2, _ = ref.forward(W1, b1, W2, b2, data)
    s = beta * (-rho / rho_hat + (1 - rho) / (1 - rho_hat))
    # Difference between "s outside f'" and "s inside f'", for b1 and W1.
    extra = s[:, None] * (1.0 - a2 * (1.0 - a2))
    wrong = grad.copy()
    hv = hidden * visible
    wrong[:hv] += ((extra @ data.T) / m).ravel()
    wrong[2 * hv : 2 * hv + hidden] += extra.sum(axis=1) / m

    def cost(t):
        return sparse_autoencoder_cost(t, visible, hidden, lambda_, rho, beta, data)[0]

    numerical = numerical_gradient(cost, theta, eps=1e-5)
    relative = np.linalg.norm(numerical - wrong) / np.linalg.norm(numerical + wrong)
    assert relative > 1e-3


# --- kl_divergence -------------------------------------------------------------------

RHOS = [0.01, 0.05, 0.1, 0.5, 0.9]


@pytest.mark.parametrize("rho", RHOS)
def test_kl_is_zero_at_rho_hat_equal_rho(rho):
    np.testing.assert_array_equal(kl_divergence(rho, np.array([rho, rho])), 0.0)


@pytest.mark.parametrize("rho", RHOS)
def test_kl_is_positive_elsewhere(rho):
    q = np.linspace(0.001, 0.999, 999)
    q = q[np.abs(q - rho) > 1e-6]
    kl = kl_divergence(rho, q)
    assert kl.shape == q.shape
    assert np.all(kl > 0.0)


@pytest.mark.parametrize(
    ("rho", "q", "expected"),
    [
        (0.5, 0.25, 0.5 * math.log(4.0 / 3.0)),  # 0.5 log 2 + 0.5 log(2/3)
        (0.5, 0.5, 0.0),
        (0.05, 0.5, 0.05 * math.log(0.1) + 0.95 * math.log(1.9)),
        (0.1, 0.3, 0.1 * math.log(1.0 / 3.0) + 0.9 * math.log(9.0 / 7.0)),
        (0.2, 0.9, 0.2 * math.log(2.0 / 9.0) + 0.8 * math.log(8.0)),
    ],
)
def test_kl_closed_form_values(rho, q, expected):
    kl = kl_divergence(rho, np.array([q, q, q]))
    assert kl.dtype == np.float64
    np.testing.assert_allclose(kl, expected, rtol=1e-13, atol=1e-16)


def test_kl_is_elementwise_and_keeps_the_shape():
    rho = 0.05
    q = np.random.default_rng(0).uniform(0.01, 0.99, (3, 4))
    kl = kl_divergence(rho, q)
    assert kl.shape == (3, 4)
    expected = [[ref.kl_divergence(rho, value) for value in row] for row in q]
    np.testing.assert_allclose(kl, expected, rtol=1e-13)


def test_kl_of_a_python_float_is_float64_accurate():
    # rho_hat is documented array_like; a Python float must not lose precision.
    kl = kl_divergence(0.1, 0.3)
    assert np.asarray(kl).dtype == np.float64
    assert float(kl) == pytest.approx(ref.kl_divergence(0.1, 0.3), rel=1e-13)


def test_kl_accepts_a_list():
    # rho_hat is documented array_like.
    kl = kl_divergence(0.1, [0.3, 0.1])
    np.testing.assert_allclose(kl, [ref.kl_divergence(0.1, 0.3), 0.0], rtol=1e-13)


@pytest.mark.parametrize("rho", RHOS)
def test_kl_derivative_matches_central_differences(rho):
    # d/dq KL(rho || q) = -rho / q + (1 - rho) / (1 - q): the sparsity term of delta2.
    q = np.linspace(0.02, 0.98, 49)
    eps = 1e-6
    numerical = (kl_divergence(rho, q + eps) - kl_divergence(rho, q - eps)) / (2 * eps)
    analytic = -rho / q + (1.0 - rho) / (1.0 - q)
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.all(np.abs(numerical - analytic) / scale < 1e-7)


# --- the penalty near 0 and 1 (eq-kl-safe) -----------------------------------------


def test_penalty_epsilon_is_one_float32_can_represent_below_one():
    # One eps for both precisions: 1 - eps must be a float32 number distinct from 1,
    # with room for rounding (float32's spacing below 1 is 2**-24, about 6e-8).
    assert EPS == ref.RHO_HAT_EPS
    assert np.float32(1.0 - EPS) < np.float32(1.0)
    assert EPS > 10 * 2.0**-24


# rho_hat at 0 and 1, in the tangent piece, at both edges, inside, in the constant
# piece: every case of eq-kl-safe.
PIECES = [0.0, 1e-12, 1e-9, 5e-7, EPS, 2e-6, 0.3, 1 - 2e-6, 1 - EPS, 1 - 5e-7, 1.0]


@pytest.mark.parametrize("rho", RHOS)
def test_penalty_and_slope_match_the_case_by_case_reference(rho):
    penalty, slope = kl_penalty(rho, np.array(PIECES))
    expected = [ref.safe_kl(rho, q) for q in PIECES]
    assert penalty.dtype == np.float64 and slope.dtype == np.float64
    np.testing.assert_allclose(penalty, [e[0] for e in expected], rtol=1e-13)
    np.testing.assert_allclose(slope, [e[1] for e in expected], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("rho", RHOS)
def test_penalty_is_the_kl_divergence_between_eps_and_one_minus_eps(rho):
    q = np.linspace(EPS, 1 - EPS, 101)
    penalty, slope = kl_penalty(rho, q)
    np.testing.assert_allclose(
        penalty, [ref.kl_divergence(rho, v) for v in q], rtol=1e-13, atol=1e-15
    )
    np.testing.assert_allclose(slope, -rho / q + (1 - rho) / (1 - q), rtol=1e-13)


@pytest.mark.parametrize("rho", RHOS)
def test_penalty_derivative_matches_central_differences_in_every_piece(rho):
    # Steps small enough to stay inside one piece.
    q = np.array([0.0, 1e-9, 5e-7, 3e-6, 0.2, 0.7, 1 - 3e-6, 1 - 5e-7, 1 - 1e-9, 1.0])
    h = 1e-4 * np.minimum(np.abs(q - EPS), np.abs(q - (1 - EPS)))
    numerical = (kl_penalty(rho, q + h)[0] - kl_penalty(rho, q - h)[0]) / (2 * h)
    _, slope = kl_penalty(rho, q)
    np.testing.assert_allclose(numerical, slope, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("rho", RHOS)
def test_penalty_value_and_slope_are_continuous_at_eps(rho):
    delta = 1e-9 * EPS
    (below, at, above), slopes = kl_penalty(rho, np.array([-1, 0, 1]) * delta + EPS)
    assert below == pytest.approx(at - slopes[1] * delta, rel=1e-14)
    assert above == pytest.approx(at + slopes[1] * delta, rel=1e-14)
    np.testing.assert_allclose(slopes, slopes[1], rtol=1e-8)


@pytest.mark.parametrize("rho", RHOS)
def test_penalty_is_constant_above_one_minus_eps(rho):
    penalty, slope = kl_penalty(rho, np.array([1 - 5e-7, 1 - 1e-12, 1.0]))
    np.testing.assert_allclose(penalty, ref.kl_divergence(rho, 1 - EPS), rtol=1e-13)
    np.testing.assert_array_equal(slope, 0.0)


def test_penalty_is_finite_and_silent_at_zero_and_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        penalty, slope = kl_penalty(0.05, np.array([0.0, 1.0]))
    assert np.all(np.isfinite(penalty)) and np.all(np.isfinite(slope))


def test_penalty_of_float32_averages_is_the_float64_function():
    # The same function in both precisions: float32 input is evaluated in float64.
    q32 = np.array([0.0, 2e-9, 5e-7, 0.05, 0.5, 1 - 5e-7, 1.0], dtype=np.float32)
    penalty32, slope32 = kl_penalty(0.05, q32)
    penalty64, slope64 = kl_penalty(0.05, q32.astype(np.float64))
    assert penalty32.dtype == np.float64 and slope32.dtype == np.float64
    np.testing.assert_array_equal(penalty32, penalty64)
    np.testing.assert_array_equal(slope32, slope64)


SATURATED_BIASES = [
    [20.0, -20.0, 20.0, 0.3],
    [30.0, -30.0, -30.0, -0.2],
    [-30.0, -30.0, -30.0, -30.0],
    [30.0, 30.0, 30.0, 30.0],
]


@pytest.mark.parametrize("biases", SATURATED_BIASES)
@pytest.mark.parametrize(
    ("lambda_", "rho", "beta"), [(1e-3, 0.1, 3.0), (0.0, 0.01, 0.5)]
)
def test_grad_matches_central_differences_with_saturated_hidden_units(
    biases, lambda_, rho, beta
):
    # b1 = +-20 or +-30 puts rho_hat in the outer pieces of eq-kl-safe without making
    # it exactly 0 or 1: the cost still moves with theta, and the gradient must be
    # the gradient of that cost (clipping the value only fails this test).
    visible, hidden, m = 6, 4, 9
    theta, data = problem(17, visible, hidden, m, 1.0)
    hv = hidden * visible
    theta[2 * hv : 2 * hv + hidden] = biases
    rho_hat = np.array(rho_hat_reference(theta, visible, hidden, data))
    saturated = np.abs(biases) >= 20
    assert np.all((rho_hat[saturated] < EPS) | (rho_hat[saturated] > 1 - EPS))
    assert np.all((rho_hat[saturated] > 0) & (rho_hat[saturated] < 1))
    _, grad = sparse_autoencoder_cost(theta, visible, hidden, lambda_, rho, beta, data)

    def cost(t):
        return sparse_autoencoder_cost(t, visible, hidden, lambda_, rho, beta, data)[0]

    # Fourth-order differences: the saturated units' penalties make the cost large
    # next to its gradient, so second-order ones stall at about 1e-9 at any step.
    numerical = ref.numerical_gradient_fourth_order(cost, theta, eps=3e-3)
    relative = np.linalg.norm(numerical - grad) / np.linalg.norm(numerical + grad)
    assert relative < 1e-9


@pytest.mark.parametrize("biases", SATURATED_BIASES)
def test_cost_and_grad_match_loop_reference_with_saturated_hidden_units(biases):
    visible, hidden, m = 5, 4, 6
    theta, data = problem(23, visible, hidden, m)
    hv = hidden * visible
    theta[2 * hv : 2 * hv + hidden] = biases
    args = (visible, hidden, 1e-3, 0.1, 3.0)
    cost, grad = sparse_autoencoder_cost(theta, *args, data)
    ref_cost, ref_grad = ref.sparse_cost_and_grad(theta, *args, data)
    assert cost == pytest.approx(ref_cost, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-15)


# --- beta = 0 is the chapter 2 autoencoder -------------------------------------------


@pytest.mark.parametrize("lambda_", [0.0, 1e-3, 0.4])
@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_beta_zero_is_the_plain_autoencoder(visible, hidden, m, lambda_):
    from saelib.backprop import autoencoder_cost

    theta, data = problem(51 + visible + m, visible, hidden, m, 2.0)
    cost, grad = autoencoder_cost(theta, visible, hidden, lambda_, data)
    for rho in (0.01, 0.3, 0.99):  # rho has no effect when beta = 0
        sparse_cost, sparse_grad = sparse_autoencoder_cost(
            theta, visible, hidden, lambda_, rho, 0.0, data
        )
        assert sparse_cost == pytest.approx(cost, rel=1e-13, abs=1e-16)
        np.testing.assert_allclose(sparse_grad, grad, rtol=1e-13, atol=1e-16)


# --- saturated hidden units ----------------------------------------------------------


@pytest.mark.parametrize("bias", [800.0, -800.0, "mixed"])
def test_saturated_hidden_units_give_finite_results_without_warnings(bias):
    # b1 = +-800 makes every hidden activation exactly 1 or 0, so rho_hat is exactly
    # 1 or 0, where eq-kl-safe leaves the KL divergence (tangent below eps, constant
    # above 1 - eps).
    visible, hidden, m = 5, 4, 6
    rho, beta, lambda_ = 0.1, 3.0, 1e-3
    theta, data = problem(61, visible, hidden, m)
    hv = hidden * visible
    if bias == "mixed":
        theta[2 * hv : 2 * hv + hidden] = [800.0, -800.0, 800.0, -800.0]
    else:
        theta[2 * hv : 2 * hv + hidden] = bias
    rho_hat = rho_hat_reference(theta, visible, hidden, data)
    assert set(rho_hat) <= {0.0, 1.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = sparse_autoencoder_cost(
            theta, visible, hidden, lambda_, rho, beta, data
        )
    assert math.isfinite(cost)
    assert np.all(np.isfinite(grad))
    ref_cost, ref_grad = ref.sparse_cost_and_grad(
        theta, visible, hidden, lambda_, rho, beta, data
    )
    assert cost == pytest.approx(ref_cost, rel=1e-10)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-15)
    # Saturated units have f'(z) = 0: their W1 gradient is the decay only and
    # their b1 gradient is 0.
    np.testing.assert_array_equal(grad[:hv], lambda_ * theta[:hv])
    np.testing.assert_array_equal(grad[2 * hv : 2 * hv + hidden], 0.0)


# --- inputs, outputs -----------------------------------------------------------------


def test_cost_is_a_python_float():
    theta, data = problem(1, 4, 2, 3)
    cost, _ = sparse_autoencoder_cost(theta, 4, 2, 0.1, 0.05, 3.0, data)
    assert type(cost) is float


def test_inputs_are_not_modified():
    visible, hidden, m = 5, 3, 4
    theta, data = problem(15, visible, hidden, m)
    theta_before, data_before = theta.copy(), data.copy()
    sparse_autoencoder_cost(theta, visible, hidden, 0.1, 0.05, 3.0, data)
    np.testing.assert_array_equal(theta, theta_before)
    np.testing.assert_array_equal(data, data_before)


def test_grad_is_a_fresh_array():
    # Two calls must not share (and overwrite) one gradient buffer.
    visible, hidden, m = 4, 3, 2
    theta, data = problem(16, visible, hidden, m)
    _, grad1 = sparse_autoencoder_cost(theta, visible, hidden, 0.1, 0.05, 3.0, data)
    saved = grad1.copy()
    sparse_autoencoder_cost(-theta, visible, hidden, 0.5, 0.2, 1.0, 1.0 - data)
    np.testing.assert_array_equal(grad1, saved)
    assert not np.shares_memory(grad1, theta)
    assert not np.shares_memory(grad1, data)


# --- bad input, rejected before any work -----------------------------------------


@pytest.fixture
def valid(monkeypatch):
    """A valid problem, with the module's working functions spied on: a bad input
    must raise before any of them runs."""
    calls = []

    def spy(name):
        real = getattr(sparse, name)

        def wrapper(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    for name in ("unpack_parameters", "forward_propagation", "kl_divergence"):
        monkeypatch.setattr(sparse, name, spy(name))
    visible, hidden, m = 4, 3, 5
    theta, data = problem(18, visible, hidden, m)
    args = dict(
        theta=theta,
        visible_size=visible,
        hidden_size=hidden,
        lambda_=0.1,
        sparsity_param=0.05,
        beta=3.0,
        data=data,
    )
    # The spies do see a valid call.
    sparse_autoencoder_cost(**args)
    assert calls
    calls.clear()
    return args, calls


def rejects(args, calls, match, **bad):
    with pytest.raises(ValueError, match=match):
        sparse_autoencoder_cost(**{**args, **bad})
    assert calls == [], f"work done before the ValueError: {calls}"


@pytest.mark.parametrize("value", [0, 0.0, 1, 1.0, -0.1, 1.5])
def test_rejects_sparsity_param_outside_open_unit_interval(valid, value):
    rejects(*valid, "sparsity_param", sparsity_param=value)


@pytest.mark.parametrize("value", [-1e-8, -0.5])
def test_rejects_negative_lambda(valid, value):
    rejects(*valid, "lambda_", lambda_=value)


@pytest.mark.parametrize("value", [-1e-8, -3.0])
def test_rejects_negative_beta(valid, value):
    rejects(*valid, "beta", beta=value)


@pytest.mark.parametrize("delta", [-1, 1])
def test_rejects_theta_of_wrong_length(valid, delta):
    args, calls = valid
    rejects(args, calls, "theta", theta=np.zeros(args["theta"].size + delta))


@pytest.mark.parametrize("delta", [-1, 1])
def test_rejects_data_with_wrong_number_of_rows(valid, delta):
    args, calls = valid
    shape = (args["visible_size"] + delta, args["data"].shape[1])
    bad = np.random.default_rng(0).uniform(0, 1, shape)
    rejects(args, calls, "data", data=bad)


def test_rejects_one_dimensional_data(valid):
    args, calls = valid
    rejects(args, calls, "data", data=args["data"][:, 0])


def test_rejects_nan_in_data(valid):
    args, calls = valid
    bad = args["data"].copy()
    bad[1, 2] = np.nan
    rejects(args, calls, "data", data=bad)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_rejects_inf_in_data(valid, value):
    args, calls = valid
    bad = args["data"].copy()
    bad[0, -1] = value
    rejects(args, calls, "data", data=bad)


@pytest.mark.parametrize("value", [1.5, -0.2, 1.0 + 1e-9, -1e-9])
def test_rejects_data_outside_unit_interval(valid, value):
    args, calls = valid
    bad = args["data"].copy()
    bad[2, 3] = value
    rejects(args, calls, r"data.*\[0, 1\]", data=bad)


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_accepts_data_on_the_bounds_of_the_unit_interval(value):
    visible, hidden, m = 3, 2, 4
    theta, data = problem(19, visible, hidden, m)
    data[0, 0] = value
    cost, grad = sparse_autoencoder_cost(theta, visible, hidden, 0.1, 0.05, 3.0, data)
    ref_cost, ref_grad = ref.sparse_cost_and_grad(
        theta, visible, hidden, 0.1, 0.05, 3.0, data
    )
    assert cost == pytest.approx(ref_cost, rel=1e-10)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-15)


def test_data_an_ulp_above_one_is_refused_saying_by_how_much():
    """MinMaxScaler can give 1.0000000000000002; "max 1" would hide why it fails."""
    theta = initialize_parameters(2, 3, rng=0)
    data = np.full((3, 4), 0.5)
    data[0, 0] = np.nextafter(1.0, 2.0)
    with pytest.raises(ValueError, match=r"2\.22e-16 above 1"):
        sparse_autoencoder_cost(theta, 3, 2, 1e-4, 0.1, 3.0, data)


@pytest.mark.parametrize("bad", ["0.1", True, None])
def test_sparsity_param_of_the_wrong_type_is_named(bad):
    theta = initialize_parameters(2, 3, rng=0)
    with pytest.raises(TypeError, match="sparsity_param must be a real number"):
        sparse_autoencoder_cost(theta, 3, 2, 1e-4, bad, 3.0, np.full((3, 4), 0.5))
