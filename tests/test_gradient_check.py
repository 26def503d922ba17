"""Unit tests of saelib.gradient_check (chapter 3: checking gradients numerically).

References are closed forms: the notes' example h(x) = x1^2 + 3 x1 x2, the exact
O(eps^2) error of central differences on a cubic, and norms of known vectors.
"""

import math

import numpy as np
import pytest
import reference as ref

gradient_check = pytest.importorskip("saelib.gradient_check")
compute_numerical_gradient = gradient_check.compute_numerical_gradient
relative_difference = gradient_check.relative_difference
check_gradient = gradient_check.check_gradient


def notes_h(x):
    """The notes' example h(x) = x1^2 + 3 x1 x2, gradient (2 x1 + 3 x2, 3 x1)."""
    return x[0] ** 2 + 3.0 * x[0] * x[1]


def cubic(x):
    """sum(x**3), gradient 3 x**2, third derivative 6 in every coordinate."""
    return float(np.sum(x**3))


def smooth(x):
    """A non-polynomial function with a known gradient."""
    return float(np.sum(np.sin(x)) + 0.5 * np.dot(x, x) ** 2)


def smooth_grad(x):
    return np.cos(x) + 2.0 * np.dot(x, x) * x


def test_public_api_exports_chapter_3():
    import saelib

    for name in ["compute_numerical_gradient", "relative_difference", "check_gradient"]:
        assert name in saelib.__all__
        assert getattr(saelib, name) is getattr(gradient_check, name)


# --- compute_numerical_gradient ------------------------------------------------------


def test_notes_example_gradient():
    theta = np.array([4.0, 10.0])
    numerical = compute_numerical_gradient(notes_h, theta)
    assert numerical.shape == (2,)
    np.testing.assert_allclose(numerical, [38.0, 12.0], rtol=0, atol=1e-8)


@pytest.mark.parametrize("epsilon", [1e-2, 3e-2, 1e-1])
@pytest.mark.parametrize("n", [1, 3, 6])
def test_cubic_error_is_exactly_eps_squared(n, epsilon):
    # ((x+e)^3 - (x-e)^3) / (2e) = 3 x^2 + e^2: the error is J'''/6 e^2 = e^2.
    theta = np.random.default_rng(n).uniform(-2.0, 2.0, n)
    numerical = compute_numerical_gradient(cubic, theta, epsilon=epsilon)
    error = numerical - 3.0 * theta**2
    np.testing.assert_allclose(error, epsilon**2, rtol=1e-6)


def test_default_epsilon_is_1e_minus_4():
    # On the cubic the error is epsilon^2 exactly, which reveals epsilon. A theta
    # near 0 keeps J, and so its rounding error, tiny next to epsilon^2 = 1e-8.
    theta = np.array([0.01, -0.02, 0.03])
    error = compute_numerical_gradient(cubic, theta) - 3.0 * theta**2
    np.testing.assert_allclose(error, 1e-8, rtol=1e-6)


def test_error_shrinks_like_eps_squared():
    theta = np.random.default_rng(1).uniform(-1.0, 1.0, 4)
    exact = smooth_grad(theta)
    e1 = np.linalg.norm(compute_numerical_gradient(smooth, theta, 1e-2) - exact)
    e2 = np.linalg.norm(compute_numerical_gradient(smooth, theta, 5e-3) - exact)
    assert e2 / e1 == pytest.approx(0.25, rel=0.01)


@pytest.mark.parametrize("n", [1, 2, 5, 20])
def test_matches_analytic_gradient_of_smooth_function(n):
    theta = np.random.default_rng(n).uniform(-1.0, 1.0, n)
    numerical = compute_numerical_gradient(smooth, theta, epsilon=1e-5)
    assert numerical.shape == theta.shape
    np.testing.assert_allclose(numerical, smooth_grad(theta), rtol=1e-7, atol=1e-9)


def test_each_coordinate_uses_its_own_direction():
    # J depends on one coordinate only: every other partial derivative is 0.
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    numerical = compute_numerical_gradient(lambda x: 7.0 * x[2] ** 2, theta, 1e-3)
    np.testing.assert_allclose(numerical, [0.0, 0.0, 42.0, 0.0], atol=1e-9)


def test_does_not_modify_theta():
    theta = np.random.default_rng(2).uniform(-1.0, 1.0, 6)
    before = theta.copy()
    compute_numerical_gradient(smooth, theta)
    np.testing.assert_array_equal(theta, before)


def test_integer_theta_is_treated_as_float():
    # A perturbation written into an integer array would be truncated to 0.
    numerical = compute_numerical_gradient(notes_h, np.array([4, 10]))
    np.testing.assert_allclose(numerical, [38.0, 12.0], rtol=0, atol=1e-8)


@pytest.mark.parametrize("epsilon", [0.0, -1e-4])
def test_rejects_nonpositive_epsilon(epsilon):
    with pytest.raises(ValueError, match="epsilon"):
        compute_numerical_gradient(notes_h, np.array([4.0, 10.0]), epsilon=epsilon)


def test_rejects_function_returning_a_tuple():
    def cost_and_grad(x):
        return notes_h(x), np.array([2 * x[0] + 3 * x[1], 3 * x[0]])

    with pytest.raises(TypeError):
        compute_numerical_gradient(cost_and_grad, np.array([4.0, 10.0]))


# --- relative_difference --------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([3.0, 4.0], [0.0, 0.0], 1.0),  # ||a|| / ||a||
        ([1.0, 0.0], [0.0, 1.0], 1.0),  # sqrt(2) / sqrt(2)
        ([1.0, 2.0, 2.0], [1.0, 2.0, 2.0], 0.0),
        ([2.0, 0.0], [1.0, 0.0], 1.0 / 3.0),
        ([3.0, 4.0], [3.0, 0.0], 4.0 / math.sqrt(36.0 + 16.0)),
    ],
)
def test_relative_difference_closed_forms(a, b, expected):
    got = relative_difference(np.array(a), np.array(b))
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-15, abs=0)


def test_relative_difference_of_zero_vectors_is_zero():
    assert relative_difference(np.zeros(5), np.zeros(5)) == 0.0


@pytest.mark.parametrize("n", [1, 4, 50])
def test_relative_difference_matches_loop_norms(n):
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=n), rng.normal(size=n)
    expected = ref.norm(a - b) / ref.norm(a + b)
    assert relative_difference(a, b) == pytest.approx(expected, rel=1e-12)
    assert relative_difference(b, a) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("factor", [1.01, 1.5, 0.5])
def test_relative_difference_of_scaled_vector(factor):
    # ||a - c a|| / ||a + c a|| = |1 - c| / (1 + c) for c > 0.
    a = np.random.default_rng(3).normal(size=8)
    expected = abs(1.0 - factor) / (1.0 + factor)
    assert relative_difference(a, factor * a) == pytest.approx(expected, rel=1e-12)


# --- check_gradient ---------------------------------------------------------------


def test_check_gradient_result_attributes():
    theta = np.random.default_rng(4).uniform(-1.0, 1.0, 5)

    def fun(x):
        return smooth(x), smooth_grad(x)

    result = check_gradient(fun, theta, epsilon=1e-5)
    assert isinstance(result.relative_difference, float)
    np.testing.assert_array_equal(result.analytical, smooth_grad(theta))
    np.testing.assert_allclose(
        result.numerical, compute_numerical_gradient(smooth, theta, 1e-5), rtol=1e-12
    )
    expected = relative_difference(result.numerical, result.analytical)
    assert result.relative_difference == pytest.approx(expected, rel=1e-12)
    assert result.relative_difference < 1e-9


def test_check_gradient_passes_epsilon_through():
    # On the cubic with the exact gradient, numerical - analytical = epsilon^2.
    theta = np.array([1.0, -2.0, 0.5])

    def fun(x):
        return cubic(x), 3.0 * x**2

    result = check_gradient(fun, theta, epsilon=0.05)
    np.testing.assert_allclose(result.numerical - result.analytical, 0.0025, rtol=1e-6)


def test_check_gradient_does_not_modify_theta():
    theta = np.random.default_rng(5).uniform(-1.0, 1.0, 5)
    before = theta.copy()
    check_gradient(lambda x: (smooth(x), smooth_grad(x)), theta)
    np.testing.assert_array_equal(theta, before)


@pytest.mark.parametrize("factor", [1.01, 0.9])
def test_check_gradient_flags_a_scaled_gradient(factor):
    theta = np.random.default_rng(6).uniform(-1.0, 1.0, 6)

    def wrong(x):
        return smooth(x), factor * smooth_grad(x)

    result = check_gradient(wrong, theta, epsilon=1e-5)
    # numerical ~ g, analytical = c g: the difference is |1 - c| / (1 + c).
    expected = abs(1.0 - factor) / (1.0 + factor)
    assert result.relative_difference == pytest.approx(expected, rel=1e-5)
    assert result.relative_difference > 1e-3


def test_check_gradient_flags_one_wrong_coordinate():
    theta = np.random.default_rng(7).uniform(-1.0, 1.0, 6)

    def wrong(x):
        g = smooth_grad(x)
        g[4] += 0.01 * np.linalg.norm(g)
        return smooth(x), g

    assert check_gradient(wrong, theta, epsilon=1e-5).relative_difference > 1e-3


# --- check_gradient on the autoencoder (needs chapter 2) ---------------------------


def _autoencoder_problem(seed, visible, hidden, m):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-1.0, 1.0, 2 * visible * hidden + visible + hidden)
    data = rng.uniform(0.0, 1.0, (visible, m))
    return theta, data


@pytest.mark.parametrize("lambda_", [0.0, 1e-3])
@pytest.mark.parametrize(("visible", "hidden", "m"), [(1, 1, 1), (5, 3, 7), (8, 4, 1)])
def test_check_gradient_accepts_autoencoder_cost(visible, hidden, m, lambda_):
    backprop = pytest.importorskip("saelib.backprop")
    theta, data = _autoencoder_problem(8, visible, hidden, m)

    def fun(t):
        return backprop.autoencoder_cost(t, visible, hidden, lambda_, data)

    # epsilon = 1e-5: with the default 1e-4 the truncation error alone is ~5e-10.
    result = check_gradient(fun, theta, epsilon=1e-5)
    assert result.relative_difference < 1e-9
    assert result.numerical.shape == theta.shape
    assert result.analytical.shape == theta.shape


@pytest.mark.parametrize("factor", [1.01, 1.1])
def test_check_gradient_flags_scaled_autoencoder_gradient(factor):
    backprop = pytest.importorskip("saelib.backprop")
    visible, hidden, m = 5, 3, 6
    theta, data = _autoencoder_problem(9, visible, hidden, m)

    def wrong(t):
        cost, grad = backprop.autoencoder_cost(t, visible, hidden, 1e-3, data)
        return cost, factor * grad

    result = check_gradient(wrong, theta, epsilon=1e-5)
    expected = (factor - 1.0) / (factor + 1.0)
    assert result.relative_difference == pytest.approx(expected, rel=1e-4)
    assert result.relative_difference > 1e-3


def test_check_gradient_flags_autoencoder_gradient_without_one_over_m():
    backprop = pytest.importorskip("saelib.backprop")
    visible, hidden, m = 5, 3, 10
    theta, data = _autoencoder_problem(10, visible, hidden, m)

    def wrong(t):
        # lambda_ = 0: forgetting the 1/m multiplies the whole gradient by m.
        cost, grad = backprop.autoencoder_cost(t, visible, hidden, 0.0, data)
        return cost, m * grad

    result = check_gradient(wrong, theta, epsilon=1e-5)
    assert result.relative_difference == pytest.approx((m - 1) / (m + 1), rel=1e-6)
    assert result.relative_difference > 1e-3
