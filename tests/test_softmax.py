"""Unit tests of saelib.softmax (chapter 11: softmax regression).

References are independent of saelib: a per-example loop written from the
tutorial's formulas with ``math.exp`` (``loop_cost_and_grad`` below), central
differences, closed forms for two classes and for huge scores, and scikit-learn's
multinomial ``LogisticRegression`` for the trained model.
"""

import math
import warnings

import numpy as np
import pytest
from reference import numerical_gradient

softmax = pytest.importorskip("saelib.softmax")
softmax_cost = softmax.softmax_cost
softmax_probabilities = softmax.softmax_probabilities
softmax_train = softmax.softmax_train
softmax_predict = softmax.softmax_predict
SoftmaxModel = softmax.SoftmaxModel

# (num_classes, input_size, m): includes m = 1, input_size = 1 and k = 2.
SHAPES = [(2, 1, 1), (2, 3, 5), (3, 1, 4), (4, 6, 10), (5, 2, 7), (10, 4, 3)]
LAMBDAS = [0.0, 1e-4, 0.3]


def problem(seed, k, n, m, scale=1.0):
    """Random theta, data and labels (every class present when m >= k)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(scale=scale, size=k * n)
    data = rng.normal(size=(n, m))
    labels = rng.permutation(np.arange(m) % k)
    return theta, data, labels


def loop_cost_and_grad(theta, k, n, lambda_, data, labels):
    """eq-ch11-cost and eq-ch11-grad, one example and one entry at a time."""
    theta = [float(t) for t in theta]
    W = [[theta[j * n + r] for r in range(n)] for j in range(k)]
    m = len(labels)
    cost = 0.0
    grad = [[0.0] * n for _ in range(k)]
    for i in range(m):
        x = [float(data[r][i]) for r in range(n)]
        z = [sum(W[j][r] * x[r] for r in range(n)) for j in range(k)]
        top = max(z)
        total = sum(math.exp(zj - top) for zj in z)
        p = [math.exp(zj - top) / total for zj in z]
        y = int(labels[i])
        cost -= (z[y] - top - math.log(total)) / m
        for j in range(k):
            error = p[j] - (1.0 if j == y else 0.0)
            for r in range(n):
                grad[j][r] += error * x[r] / m
    for j in range(k):
        for r in range(n):
            cost += 0.5 * lambda_ * W[j][r] ** 2
            grad[j][r] += lambda_ * W[j][r]
    return cost, np.array([g for row in grad for g in row])


# --- agreement with the loop reference --------------------------------------------


@pytest.mark.parametrize("lambda_", LAMBDAS)
@pytest.mark.parametrize(("k", "n", "m"), SHAPES)
def test_cost_and_grad_match_loop_reference(k, n, m, lambda_):
    theta, data, labels = problem(100 * k + 10 * n + m, k, n, m, 2.0)
    cost, grad = softmax_cost(theta, k, n, lambda_, data, labels)
    ref_cost, ref_grad = loop_cost_and_grad(theta, k, n, lambda_, data, labels)
    assert isinstance(cost, float)
    assert cost == pytest.approx(ref_cost, rel=1e-12, abs=1e-15)
    assert grad.shape == theta.shape
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("k", "n", "m"), SHAPES)
def test_probabilities_are_the_normalized_exponentials(k, n, m):
    theta, data, _ = problem(k + n + m, k, n, m)
    W = theta.reshape(k, n)
    P = softmax_probabilities(W, data)
    assert P.shape == (k, m)
    for i in range(m):
        z = [sum(W[j, r] * data[r, i] for r in range(n)) for j in range(k)]
        expected = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
        np.testing.assert_allclose(P[:, i], expected, rtol=1e-12)


def test_two_classes_give_the_sigmoid_of_the_difference():
    theta, data, labels = problem(3, 2, 4, 9)
    W = theta.reshape(2, 4)
    P = softmax_probabilities(W, data)
    margin = (W[1] - W[0]) @ data
    expected = [1.0 / (1.0 + math.exp(-t)) for t in margin]
    np.testing.assert_allclose(P[1], expected, rtol=1e-12)
    cost, _ = softmax_cost(theta, 2, 4, 0.0, data, labels)
    logistic = -sum(
        math.log(q) if y == 1 else math.log(1 - q)
        for q, y in zip(expected, labels, strict=True)
    ) / len(labels)
    assert cost == pytest.approx(logistic, rel=1e-12)


# --- agreement with central differences -------------------------------------------


@pytest.mark.parametrize("lambda_", [0.0, 0.1])
@pytest.mark.parametrize(("k", "n", "m"), SHAPES)
def test_grad_matches_central_differences(k, n, m, lambda_):
    theta, data, labels = problem(7 + k + n + m, k, n, m)
    _, grad = softmax_cost(theta, k, n, lambda_, data, labels)

    def cost(t):
        return softmax_cost(t, k, n, lambda_, data, labels)[0]

    numerical = numerical_gradient(cost, theta, eps=1e-5)
    relative = np.linalg.norm(numerical - grad) / np.linalg.norm(numerical + grad)
    assert relative < 1e-9


# --- the overparameterization -----------------------------------------------------


@pytest.mark.parametrize(("k", "n", "m"), SHAPES)
def test_subtracting_a_vector_from_every_row_changes_nothing(k, n, m):
    theta, data, labels = problem(11 + m, k, n, m)
    W = theta.reshape(k, n)
    psi = np.random.default_rng(m).normal(scale=5.0, size=n)
    np.testing.assert_allclose(
        softmax_probabilities(W - psi, data),
        softmax_probabilities(W, data),
        rtol=1e-10,
        atol=1e-14,
    )
    c0, g0 = softmax_cost(theta, k, n, 0.0, data, labels)
    c1, g1 = softmax_cost((W - psi).ravel(), k, n, 0.0, data, labels)
    assert c1 == pytest.approx(c0, rel=1e-10)
    np.testing.assert_allclose(g1, g0, rtol=1e-9, atol=1e-12)
    # The data term's gradient has rows summing to zero (1^T (Y - P) = 0).
    np.testing.assert_allclose(g0.reshape(k, n).sum(axis=0), 0.0, atol=1e-12)


# --- numerical safety -------------------------------------------------------------


def test_huge_scores_give_the_closed_form_without_warnings():
    # Scores 1000 and 0, label 1: -log p = 1000 + log(1 + e^-1000) = 1000 exactly in
    # float64, and the gradient is (p - e_y) x = (1, -1) * 1000.
    theta = np.array([1.0, 0.0])
    data = np.array([[1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = softmax_cost(theta, 2, 1, 0.0, data, np.array([1]))
        P = softmax_probabilities(theta.reshape(2, 1), data)
    assert cost == 1000.0
    np.testing.assert_allclose(grad, [1000.0, -1000.0])
    np.testing.assert_array_equal(P[:, 0], [1.0, 0.0])


def test_all_very_negative_scores_give_the_closed_form_without_warnings():
    # Scores -1000, -2000, -3000: every exponential underflows in the literal formula
    # (0 / 0), but p = (1, e^-1000, e^-2000) = (1, 0, 0) in float64, the cost of
    # label 0 is log(1 + e^-1000 + e^-2000) = 0 and that of label 2 is 2000.
    W = np.array([[-1.0], [-2.0], [-3.0]])
    data = np.array([[1000.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = softmax_probabilities(W, data)
        cost, grad = softmax_cost(W.ravel(), 3, 1, 0.0, data, np.array([0, 2]))
    np.testing.assert_array_equal(P, [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    assert cost == 1000.0  # (0 + 2000) / 2
    # (P - Y) x / m: column 0 contributes 0, column 1 (1, 0, -1) * 1000 / 2.
    np.testing.assert_allclose(grad, [500.0, 0.0, -500.0])


def test_log_softmax_is_a_fresh_array_of_log_probabilities():
    # Chapter 13 calls log_softmax and then overwrites its result.
    rng = np.random.default_rng(8)
    scores = rng.normal(scale=30.0, size=(4, 6))
    before = scores.copy()
    log_p = softmax.log_softmax(scores)
    np.testing.assert_array_equal(scores, before)
    assert not np.shares_memory(log_p, scores)
    for i in range(6):
        z = [float(v) for v in scores[:, i]]
        total = sum(math.exp(v - max(z)) for v in z)
        expected = [v - max(z) - math.log(total) for v in z]
        np.testing.assert_allclose(log_p[:, i], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scale", [1e3, 1e6, 1e150])
def test_huge_inputs_stay_finite(scale):
    theta, data, labels = problem(5, 4, 6, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = softmax_cost(theta, 4, 6, 1e-3, data * scale, labels)
        P = softmax_probabilities(theta.reshape(4, 6), -data * scale)
    assert np.isfinite(cost) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(P))
    np.testing.assert_allclose(P.sum(axis=0), 1.0)


def test_equal_scores_give_uniform_probabilities_and_log_k():
    k, n, m = 5, 3, 4
    data = np.ones((n, m))
    cost, _ = softmax_cost(np.zeros(k * n), k, n, 0.0, data, np.arange(m) % k)
    assert cost == pytest.approx(math.log(k), rel=1e-14)


# --- training and prediction ------------------------------------------------------


def test_train_matches_sklearn_multinomial_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    k, n, m, lambda_ = 3, 5, 60, 0.05
    rng = np.random.default_rng(0)
    labels = np.arange(m) % k
    centres = rng.normal(scale=2.0, size=(k, n))
    data = (centres[labels] + rng.normal(size=(m, n))).T  # (n, m)
    model = softmax_train(n, k, lambda_, data, labels, max_iter=1000, tol=1e-14)
    reference = LogisticRegression(
        C=1.0 / (lambda_ * m), fit_intercept=False, tol=1e-12, max_iter=10_000
    ).fit(data.T, labels)
    np.testing.assert_allclose(model.W, reference.coef_, rtol=1e-5, atol=1e-7)
    ref_cost, _ = softmax_cost(reference.coef_.ravel(), k, n, lambda_, data, labels)
    assert model.result.cost == pytest.approx(ref_cost, rel=1e-10)
    np.testing.assert_array_equal(
        softmax_predict(model, data), reference.predict(data.T)
    )


def test_train_returns_a_centred_model_with_its_record():
    theta, data, labels = problem(2, 4, 3, 40)
    model = softmax_train(3, 4, 1e-2, data, labels, max_iter=50)
    assert isinstance(model, SoftmaxModel)
    assert model.W.shape == (4, 3)
    assert (model.input_size, model.num_classes) == (3, 4)
    assert model.result.n_iter <= 50
    assert model.result.cost_history[0] == pytest.approx(math.log(4))  # W = 0
    assert model.result.cost < model.result.cost_history[0]
    np.testing.assert_allclose(model.W.sum(axis=0), 0.0, atol=1e-10)


def test_predict_separable_data_and_argmax_of_probabilities():
    rng = np.random.default_rng(1)
    k, n, m = 4, 2, 80
    labels = np.arange(m) % k
    centres = 10.0 * np.array([[1, 0], [0, 1], [-1, 0], [0, -1]])
    data = (centres[labels] + rng.normal(scale=0.5, size=(m, n))).T
    model = softmax_train(n, k, 1e-4, data, labels)
    predicted = softmax_predict(model, data)
    assert predicted.dtype == np.int64 and predicted.shape == (m,)
    np.testing.assert_array_equal(predicted, labels)
    new = rng.normal(size=(n, 7))
    np.testing.assert_array_equal(
        softmax_predict(model, new), softmax_probabilities(model.W, new).argmax(axis=0)
    )
    # Any object with W works, e.g. a model built by hand.
    by_hand = SoftmaxModel(W=np.eye(2), input_size=2, num_classes=2)
    np.testing.assert_array_equal(
        softmax_predict(by_hand, np.array([[1.0, 0.0], [0.0, 1.0]])), [0, 1]
    )


def test_float32_data_trains_the_same_model():
    theta, data, labels = problem(6, 3, 5, 30)
    model64 = softmax_train(5, 3, 1e-2, data, labels, max_iter=200, tol=1e-12)
    model32 = softmax_train(
        5, 3, 1e-2, data.astype(np.float32), labels, max_iter=200, tol=1e-12
    )
    assert model32.W.dtype == np.float64
    np.testing.assert_allclose(model32.W, model64.W, rtol=1e-4, atol=1e-5)


def test_integer_data_and_labels_of_any_integer_dtype_are_accepted():
    theta, data, labels = problem(4, 3, 2, 6)
    # A numpy scalar is a valid lambda_ too.
    reference = softmax_cost(theta, 3, 2, 0.1, data, labels)
    got = softmax_cost(theta, 3, 2, np.float32(0.1), data, labels)
    assert got[0] == pytest.approx(reference[0], rel=1e-7)
    expected = softmax_cost(theta, 3, 2, 0.1, np.round(data), labels)
    got = softmax_cost(
        theta, 3, 2, 0.1, np.round(data).astype(int), labels.astype(np.uint8)
    )
    assert got[0] == pytest.approx(expected[0], rel=1e-15)
    np.testing.assert_allclose(got[1], expected[1])


# --- bad input --------------------------------------------------------------------

K, N, M = 3, 4, 5


def _arguments(**changes):
    theta, data, labels = problem(0, K, N, M)
    arguments = dict(
        theta=theta, num_classes=K, input_size=N, lambda_=0.1, data=data, labels=labels
    )
    arguments.update(changes)
    return arguments


BAD = {
    "label too large": (dict(labels=np.array([0, 1, 2, 3, 0])), r"0\.\.2"),
    "negative label": (dict(labels=np.array([0, 1, -1, 2, 0])), r"0\.\.2"),
    "too few labels": (dict(labels=np.arange(M - 1) % K), "one label per example"),
    "2-D labels": (dict(labels=(np.arange(M) % K)[None, :]), "one label per example"),
    "data rows": (dict(data=np.zeros((N + 1, M))), r"shape \(input_size, m\)"),
    "1-D data": (dict(data=np.zeros(N)), r"shape \(input_size, m\)"),
    "NaN data": (dict(data=np.full((N, M), np.nan)), "NaN or inf"),
    "inf data": (dict(data=np.full((N, M), np.inf)), "NaN or inf"),
    "short theta": (dict(theta=np.zeros(K * N - 1)), "theta must be"),
    "2-D theta": (dict(theta=np.zeros((K, N))), "theta must be"),
    "NaN theta": (dict(theta=np.full(K * N, np.nan)), "theta contains"),
    "negative lambda": (dict(lambda_=-1e-4), "lambda_"),
    "NaN lambda": (dict(lambda_=np.nan), "lambda_"),
    "inf lambda": (dict(lambda_=np.inf), "lambda_"),
    "one class": (
        dict(num_classes=1, theta=np.zeros(N), labels=np.zeros(M, int)),
        "num_classes",
    ),
}


def test_cost_rejects_float_labels_as_the_wrong_kind():
    with pytest.raises(TypeError, match="labels must hold integer class labels"):
        softmax_cost(**_arguments(labels=np.arange(M) % K * 1.0))


@pytest.mark.parametrize("case", list(BAD))
def test_cost_rejects_bad_input(case):
    changes, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        softmax_cost(**_arguments(**changes))


@pytest.mark.parametrize(
    "case", [c for c in BAD if "theta" not in c and c != "one class"]
)
def test_train_rejects_bad_input(case):
    changes, message = BAD[case]
    arguments = _arguments(**changes)
    del arguments["theta"]
    with pytest.raises(ValueError, match=message):
        softmax_train(**arguments)


@pytest.mark.parametrize("name", ["num_classes", "input_size"])
def test_sizes_must_be_ints(name):
    with pytest.raises(TypeError, match=name):
        softmax_cost(**_arguments(**{name: 3.0}))


def test_predict_and_probabilities_reject_bad_input():
    model = SoftmaxModel(W=np.zeros((K, N)), input_size=N, num_classes=K)
    with pytest.raises(ValueError, match=r"shape \(input_size, m\)"):
        softmax_predict(model, np.zeros((N + 1, M)))
    with pytest.raises(ValueError, match="NaN or inf"):
        softmax_predict(model, np.full((N, M), np.nan))
    with pytest.raises(ValueError, match="SoftmaxModel"):
        softmax_predict(np.zeros((K, N)), np.zeros((N, M)))
    with pytest.raises(ValueError, match="W must be"):
        softmax_probabilities(np.zeros(K), np.zeros((N, M)))
    with pytest.raises(ValueError, match="W contains"):
        softmax_probabilities(np.full((K, N), np.inf), np.zeros((N, M)))


# --- reliability (issue 12): wrong types are TypeErrors naming the argument --------


@pytest.mark.parametrize(
    "lambda_", ["0.1", "1e-4", None, True, np.array([0.1, 0.2]), np.array(0.1)]
)
def test_cost_and_train_refuse_lambda_that_is_not_a_real_number(lambda_):
    """A 0-d array is refused too, as by every cost function of saelib."""
    with pytest.raises(TypeError, match="lambda_ must be a real number"):
        softmax_cost(**_arguments(lambda_=lambda_))
    arguments = _arguments(lambda_=lambda_)
    del arguments["theta"]
    with pytest.raises(TypeError, match="lambda_ must be a real number"):
        softmax_train(**arguments)


@pytest.mark.parametrize("name", ["theta", "data"])
def test_cost_refuses_complex_theta_or_data(name):
    arguments = _arguments()
    with pytest.raises(TypeError, match=f"{name} must hold real numbers.*complex"):
        softmax_cost(**(arguments | {name: arguments[name] + 0j}))


def test_probabilities_predict_and_train_refuse_complex_input():
    W, data = np.zeros((K, N)), np.zeros((N, M))
    model = SoftmaxModel(W=W, input_size=N, num_classes=K)
    with pytest.raises(TypeError, match="W must hold real numbers"):
        softmax_probabilities(W + 0j, data)
    with pytest.raises(TypeError, match="data must hold real numbers"):
        softmax_probabilities(W, data + 0j)
    with pytest.raises(TypeError, match="data must hold real numbers"):
        softmax_predict(model, data + 0j)
    with pytest.raises(TypeError, match="W must hold real numbers"):
        softmax_predict(model._replace(W=W + 0j), data)
    arguments = _arguments()
    del arguments["theta"]
    with pytest.raises(TypeError, match="data must hold real numbers"):
        softmax_train(**(arguments | dict(data=arguments["data"] + 0j)))


@pytest.mark.parametrize("name", ["num_classes", "input_size"])
@pytest.mark.parametrize("value", [True, "3"])
def test_sizes_that_are_bools_or_strings_are_refused(name, value):
    with pytest.raises(TypeError, match=f"{name} must be an int"):
        softmax_cost(**_arguments(**{name: value}))
