"""Unit tests of saelib.optimize (chapter 4: training by gradient descent and L-BFGS).

References are closed forms: on f(x) = 0.5 x^T A x - b^T x with A symmetric positive
definite, the minimizer is A^{-1} b (np.linalg.solve) and the gradient descent
iterates are exactly x_k = x* + (I - eta A)^k (x_0 - x*).
"""

import math
import re

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der
from threadpoolctl import threadpool_info, threadpool_limits

optimize = pytest.importorskip("saelib.optimize")
gradient_descent = optimize.gradient_descent
minimize_lbfgs = optimize.minimize_lbfgs


class Quadratic:
    """f(x) = 0.5 x^T A x - b^T x with eigenvalues of A evenly spread in [lo, hi]."""

    def __init__(self, n, seed=0, lo=1.0, hi=10.0):
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        self.eigenvalues = np.linspace(lo, hi, n)
        self.A = q @ np.diag(self.eigenvalues) @ q.T
        self.A = 0.5 * (self.A + self.A.T)
        self.b = rng.normal(size=n)
        self.x_star = np.linalg.solve(self.A, self.b)
        self.x0 = rng.uniform(-2.0, 2.0, n)
        self.n_calls = 0

    def value(self, x):
        return float(0.5 * x @ self.A @ x - self.b @ x)

    def __call__(self, x):
        self.n_calls += 1
        return self.value(x), self.A @ x - self.b

    @property
    def lambda_max(self):
        return float(self.eigenvalues[-1])

    def contraction(self, eta):
        """max_i |1 - eta lambda_i|, the factor of gradient descent per step."""
        return float(np.max(np.abs(1.0 - eta * self.eigenvalues)))

    def iterate(self, eta, k):
        """The k-th gradient descent iterate, in closed form."""
        step = np.eye(self.A.shape[0]) - eta * self.A
        return self.x_star + np.linalg.matrix_power(step, k) @ (self.x0 - self.x_star)


def rosenbrock(x):
    return float(rosen(x)), rosen_der(x)


def check_result_types(result):
    assert isinstance(result, optimize.TrainResult)
    assert isinstance(result.theta, np.ndarray)
    assert isinstance(result.cost, float)
    assert isinstance(result.cost_history, list)
    assert all(isinstance(c, float) for c in result.cost_history)
    assert isinstance(result.n_iter, int)
    assert isinstance(result.converged, bool)
    assert isinstance(result.message, str)
    assert len(result.cost_history) == result.n_iter + 1


def test_public_api_exports_chapter_4():
    import saelib

    for name in ["TrainResult", "gradient_descent", "minimize_lbfgs"]:
        assert name in saelib.__all__
        assert getattr(saelib, name) is getattr(optimize, name)


# --- gradient descent ---------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 6])
@pytest.mark.parametrize("fraction", [0.3, 0.75, 0.95])
def test_gradient_descent_converges_to_the_minimizer(n, fraction):
    # learning_rate = fraction * 2 / lambda_max < 2 / lambda_max.
    f = Quadratic(n, seed=n)
    eta = fraction * 2.0 / f.lambda_max
    result = gradient_descent(f, f.x0, eta, max_iter=5000)
    check_result_types(result)
    np.testing.assert_allclose(result.theta, f.x_star, rtol=0, atol=1e-6)
    assert "diverg" not in result.message.lower()


@pytest.mark.parametrize("k", [1, 2, 10, 40])
@pytest.mark.parametrize("eta", [0.05, 0.15, 0.19])
def test_gradient_descent_iterates_closed_form(eta, k):
    # lambda in [1, 10], so eta < 0.2 converges, at rate max|1 - eta lambda| >= 0.62:
    # after at most 40 steps no sensible stopping rule has fired yet.
    f = Quadratic(4, seed=1)
    result = gradient_descent(f, f.x0, eta, max_iter=k)
    assert result.n_iter == k
    np.testing.assert_allclose(result.theta, f.iterate(eta, k), rtol=1e-12, atol=1e-12)
    # The error bound of the chapter: ||x_k - x*|| <= q^k ||x_0 - x*||.
    bound = f.contraction(eta) ** k * np.linalg.norm(f.x0 - f.x_star)
    assert np.linalg.norm(result.theta - f.x_star) <= bound * (1 + 1e-12)
    # Every recorded cost is f at the matching iterate, starting with f(x_0).
    expected = [f.value(f.iterate(eta, j)) for j in range(k + 1)]
    np.testing.assert_allclose(result.cost_history, expected, rtol=1e-12, atol=1e-12)
    assert result.cost == pytest.approx(f.value(result.theta), rel=1e-12, abs=1e-12)


def test_gradient_descent_error_bound_is_tight_along_the_top_eigenvector():
    # Starting on the eigenvector of lambda_max, the error is exactly q^k |e_0|.
    f = Quadratic(3, seed=2)
    eigenvalues, vectors = np.linalg.eigh(f.A)
    x0 = f.x_star + 0.7 * vectors[:, -1]
    eta = 0.19
    k = 12
    result = gradient_descent(f, x0, eta, max_iter=k)
    q = abs(1.0 - eta * eigenvalues[-1])
    error = np.linalg.norm(result.theta - f.x_star)
    assert error == pytest.approx(0.7 * q**k, rel=1e-9)


@pytest.mark.parametrize("fraction", [0.3, 0.95])
def test_gradient_descent_cost_history_is_nonincreasing(fraction):
    f = Quadratic(5, seed=3)
    result = gradient_descent(f, f.x0, fraction * 2.0 / f.lambda_max, max_iter=200)
    history = np.array(result.cost_history)
    assert history[0] == pytest.approx(f.value(f.x0), rel=1e-14)
    assert np.all(np.diff(history) <= 1e-12)
    assert result.cost == history[-1]


@pytest.mark.parametrize("factor", [1.25, 1.5, 3.0])
def test_gradient_descent_reports_divergence(factor):
    f = Quadratic(4, seed=4)
    eta = factor * 2.0 / f.lambda_max
    result = gradient_descent(f, f.x0, eta)
    assert result.converged is False
    assert "diverg" in result.message.lower()
    assert result.n_iter <= 1000
    assert len(result.cost_history) == result.n_iter + 1


@pytest.mark.parametrize("eta", [0.0, -0.1])
def test_gradient_descent_rejects_nonpositive_learning_rate(eta):
    f = Quadratic(2)
    with pytest.raises(ValueError, match="learning_rate"):
        gradient_descent(f, f.x0, eta)
    assert f.n_calls == 0


def test_gradient_descent_does_not_modify_theta0():
    f = Quadratic(4, seed=5)
    theta0 = f.x0.copy()
    result = gradient_descent(f, theta0, 0.1, max_iter=50)
    np.testing.assert_array_equal(theta0, f.x0)
    assert not np.shares_memory(result.theta, theta0)


def test_gradient_descent_stops_at_max_iter():
    f = Quadratic(4, seed=6)
    result = gradient_descent(f, f.x0, 0.01, max_iter=7)
    assert result.n_iter == 7
    assert len(result.cost_history) == 8
    assert result.converged is False


# --- L-BFGS ----------------------------------------------------------------------


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (2, 1), (5, 2), (8, 3)])
def test_lbfgs_reaches_the_quadratic_minimizer(n, seed):
    f = Quadratic(n, seed=seed)
    # SciPy's default tolerances stop at a relative cost change of ~2e-9, which
    # leaves errors up to ~1e-5 in theta: ask for the accuracy this test checks.
    result = minimize_lbfgs(f, f.x0, tol=1e-14)
    check_result_types(result)
    np.testing.assert_allclose(result.theta, f.x_star, rtol=0, atol=1e-6)
    assert result.converged is True
    assert result.cost == pytest.approx(f.value(result.theta), rel=1e-12, abs=1e-12)
    assert result.cost_history[0] == pytest.approx(f.value(f.x0), rel=1e-14)


def test_lbfgs_cost_history_is_nonincreasing_on_the_quadratic():
    f = Quadratic(6, seed=7, lo=0.5, hi=50.0)
    result = minimize_lbfgs(f, f.x0)
    history = np.array(result.cost_history)
    assert len(history) >= 2
    assert np.all(np.diff(history) <= 1e-12)
    assert history[-1] == pytest.approx(result.cost, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "x0",
    [[-1.2, 1.0], [1.3, 0.7, 0.8, 1.9, 1.2], [0.0] * 6],
    ids=["2d-classic", "5d-scipy-docs", "6d-zeros"],
)
def test_lbfgs_reaches_the_rosenbrock_minimum(x0):
    x0 = np.array(x0)
    result = minimize_lbfgs(rosenbrock, x0)
    check_result_types(result)
    np.testing.assert_allclose(result.theta, np.ones_like(x0), rtol=0, atol=1e-4)
    assert result.cost < 1e-8
    assert result.n_iter <= 400


@pytest.mark.parametrize("max_iter", [1, 3, 10])
def test_lbfgs_respects_max_iter(max_iter):
    result = minimize_lbfgs(rosenbrock, np.array([-1.2, 1.0]), max_iter=max_iter)
    check_result_types(result)
    assert 1 <= result.n_iter <= max_iter
    # The classic start needs dozens of iterations: stopping here is not convergence.
    assert result.converged is False


@pytest.mark.parametrize("max_iter", [0, -5])
def test_lbfgs_rejects_max_iter_below_one(max_iter):
    f = Quadratic(2)
    with pytest.raises(ValueError, match="max_iter"):
        minimize_lbfgs(f, f.x0, max_iter=max_iter)
    assert f.n_calls == 0


def test_lbfgs_does_not_modify_theta0():
    f = Quadratic(4, seed=8)
    theta0 = f.x0.copy()
    minimize_lbfgs(f, theta0)
    np.testing.assert_array_equal(theta0, f.x0)


# --- progress output -------------------------------------------------------------

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def reported_iterations(output, history):
    """Iterations named by the lines of ``output`` that also show their cost.

    A line counts when its first integer is an iteration ``n`` and it holds a
    number within 1% of the cost after ``n`` iterations (or before, for a line
    printed at the start of iteration ``n``).
    """
    scale = max(abs(c) for c in history)
    found = []
    for line in output.splitlines():
        tokens = NUMBER.findall(line)
        integers = [int(t) for t in tokens if t.lstrip("+-").isdigit()]
        if not integers or not 0 <= integers[0] < len(history):
            continue
        n = integers[0]
        candidates = [history[n]] + ([history[n - 1]] if n > 0 else [])
        values = [float(t) for t in tokens]
        if any(
            math.isclose(v, c, rel_tol=1e-2, abs_tol=1e-4 * scale)
            for v in values
            for c in candidates
        ):
            found.append(n)
    return found


def check_progress(output, result, every):
    iterations = sorted(set(reported_iterations(output, result.cost_history)))
    assert iterations, f"no line with an iteration and its cost in:\n{output}"
    # At least every `every` iterations, from the start to the end of the run.
    marks = [0, *iterations, result.n_iter + 1]
    gaps = np.diff(marks)
    assert np.all(gaps <= every), f"gaps {gaps} > {every} in:\n{output}"


def run_gradient_descent(progress):
    f = Quadratic(4, seed=9)
    return gradient_descent(f, f.x0, 0.02, max_iter=20, progress=progress)


def run_lbfgs(progress):
    return minimize_lbfgs(
        rosenbrock, np.array([-1.2, 1.0]), max_iter=25, progress=progress
    )


RUNS = {"gradient_descent": run_gradient_descent, "lbfgs": run_lbfgs}


@pytest.mark.parametrize("method", sorted(RUNS))
def test_no_output_without_progress(method, capsys):
    RUNS[method](False)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


@pytest.mark.parametrize("every", [1, 4, 7])
@pytest.mark.parametrize("method", sorted(RUNS))
def test_progress_reports_iteration_and_cost(method, every, capsys):
    result = RUNS[method](every)
    output = capsys.readouterr().out
    assert result.n_iter >= 2 * every  # enough iterations to see the spacing
    check_progress(output, result, every)


def _blas_threads():
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


@pytest.mark.parametrize("blas_threads", [1, 2])
def test_lbfgs_gives_blas_threads_to_the_function_and_one_to_scipy(
    blas_threads, monkeypatch
):
    problem = Quadratic(6)
    inside_function, inside_scipy = set(), set()

    def fun(x):
        inside_function.add(_blas_threads())
        return problem(x)

    real_minimize = optimize.minimize

    def spy(*args, **kwargs):
        inside_scipy.add(_blas_threads())
        return real_minimize(*args, **kwargs)

    monkeypatch.setattr(optimize, "minimize", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        minimize_lbfgs(fun, problem.x0, max_iter=5, blas_threads=blas_threads)
        assert _blas_threads() == 2  # restored afterwards
    assert inside_function == {blas_threads}
    assert inside_scipy == {1}


def test_lbfgs_leaves_the_threads_alone_when_told_to():
    problem = Quadratic(6)
    seen = set()

    def fun(x):
        seen.add(_blas_threads())
        return problem(x)

    with threadpool_limits(limits=2, user_api="blas"):
        minimize_lbfgs(fun, problem.x0, max_iter=5, blas_threads=None)
    assert seen == {2}


# Never success with a non-finite result (issue 12): every evaluation is checked.
OPTIMIZERS = {
    "minimize_lbfgs": lambda fun, theta0: minimize_lbfgs(fun, theta0, max_iter=50),
    "gradient_descent": lambda fun, theta0: gradient_descent(
        fun, theta0, 0.1, max_iter=50
    ),
}


@pytest.mark.parametrize("method", OPTIMIZERS)
def test_optimizers_refuse_a_nan_cost_instead_of_reporting_success(method):
    """The fuzz: SciPy's L-BFGS-B alone returns success=True on a NaN cost."""
    with pytest.raises(FloatingPointError, match=f"{method}: the cost became nan"):
        OPTIMIZERS[method](lambda t: (np.nan, t), np.ones(3))


@pytest.mark.parametrize("method", OPTIMIZERS)
def test_optimizers_refuse_a_gradient_of_the_wrong_length_before_the_first_step(
    method,
):
    calls = []

    def short_gradient(theta):
        calls.append(theta.copy())
        return float(theta @ theta), theta[:-1]

    with pytest.raises(ValueError, match=r"a gradient of shape \(3,\)"):
        OPTIMIZERS[method](short_gradient, np.ones(3))
    assert len(calls) == 1 and np.array_equal(calls[0], np.ones(3))


@pytest.mark.parametrize("method", OPTIMIZERS)
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_optimizers_name_the_iteration_where_the_gradient_stopped_being_finite(
    method, bad
):
    """A quadratic whose gradient turns bad once theta[0] has moved below 0.5."""

    def turns_bad(theta):
        grad = theta.copy()
        if theta[0] < 0.5:
            grad[1] = bad
        return 0.5 * float(theta @ theta), grad

    with pytest.raises(FloatingPointError) as caught:
        OPTIMIZERS[method](turns_bad, np.ones(2))
    message = str(caught.value)
    assert "the gradient has 1 NaN or inf" in message
    iteration = int(re.search(r"at iteration (\d+)", message).group(1))
    assert iteration >= 1  # the start was fine; the error names a later iteration


def test_gradient_descent_names_the_first_non_finite_iteration_exactly():
    """With rate 0.1 on J = |theta|^2 / 2, theta[0] = 0.9**k: below 0.5 at k = 7."""

    def turns_bad(theta):
        cost = np.inf if theta[0] < 0.5 else 0.5 * float(theta @ theta)
        return cost, theta.copy()

    expected = next(k for k in range(100) if 0.9**k < 0.5)
    with pytest.raises(FloatingPointError, match=f"at iteration {expected};"):
        gradient_descent(turns_bad, np.ones(2), 0.1, max_iter=50)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(learning_rate="0.1"), TypeError),
        (dict(learning_rate=True), TypeError),
        (dict(learning_rate=0.1, tol=-1.0), ValueError),
        (dict(learning_rate=0.1, max_iter=10.0), TypeError),
    ],
)
def test_gradient_descent_names_a_hyperparameter_of_the_wrong_type(kwargs, error):
    name = next(k for k, v in kwargs.items() if not (k == "learning_rate" and v == 0.1))
    with pytest.raises(error, match=name):
        gradient_descent(lambda t: (float(t @ t), 2 * t), np.ones(2), **kwargs)


def test_optimizers_refuse_a_complex_starting_point():
    with pytest.raises(TypeError, match="theta0 must hold real numbers"):
        minimize_lbfgs(lambda t: (float(t @ t), 2 * t), np.ones(2) + 1j)
