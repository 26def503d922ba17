"""Unit tests of saelib.checks (appendix A1: checking your own code).

Every learner's function below, right or wrong, is written here from the math of the
notes (forward pass, backpropagation, the KL sparsity penalty, central differences),
not built from saelib or from the private helpers of saelib.checks. Each checker must
accept the reference and a correct independent implementation, reject the classic
mistakes (naming them where it can), and locate the first difference.
"""

import math
import re
import warnings

import numpy as np
import pytest
from scipy.special import expit

checks = pytest.importorskip("saelib.checks")
CheckReport = checks.CheckReport
check_sigmoid = checks.check_sigmoid
check_backprop = checks.check_backprop
check_sparse_cost = checks.check_sparse_cost
check_numerical_gradient = checks.check_numerical_gradient


def outcomes(report):
    """Map each case label of a report to ``(passed, detail)``, from its lines."""
    result = {}
    for entry in report.lines:
        head, _, detail = entry.partition("\n")
        status, label = head.split(maxsplit=1)
        assert status in ("ok", "FAIL"), entry
        detail = "\n".join(line.strip() for line in detail.splitlines())
        result[label] = (status == "ok", detail)
    assert report.failures == sum(not ok for ok, _ in result.values())
    return result


def params(label):
    """The numbers of a case label such as "visible=4, hidden=3, m=5, lambda=0.1"."""
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", label)}


def failing(report):
    """The labels of the failed cases, with their details."""
    return {label: detail for label, (ok, detail) in outcomes(report).items() if not ok}


# --- CheckReport ---------------------------------------------------------------------


def test_empty_report_is_truthy_and_says_all_cases_pass():
    report = CheckReport("check_x")
    assert report
    assert str(report) == "check_x: all cases pass"


def test_passed_cases_keep_the_report_truthy():
    report = CheckReport("check_x")
    report.passed("case a")
    report.passed("case b")
    assert report and report.failures == 0
    assert str(report).splitlines() == [
        "check_x: all cases pass",
        "  ok    case a",
        "  ok    case b",
    ]


def test_one_failure_makes_the_report_falsy_and_is_counted():
    report = CheckReport("check_x")
    report.passed("case a")
    report.failed("case b", "went wrong\nsecond line")
    report.failed("case c", "also wrong")
    assert not report
    assert bool(report) is False
    assert report.failures == 2
    text = str(report)
    assert text.startswith("check_x: 2 case(s) fail")
    assert "all cases pass" not in text
    # A multi-line message is indented under its case.
    assert "  FAIL  case b\n        went wrong\n        second line" in text


# --- check_sigmoid -------------------------------------------------------------------


def naive_sigmoid(z):
    """The literal formula: overflows (and warns) for large negative z."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def test_check_sigmoid_accepts_the_reference():
    from saelib import sigmoid

    report = check_sigmoid(sigmoid, verbose=False)
    assert report and report.failures == 0
    assert len(report.lines) == 4


def test_check_sigmoid_accepts_an_independent_correct_sigmoid():
    assert check_sigmoid(expit, verbose=False)


def test_naive_sigmoid_fails_only_on_the_overflow_case():
    report = check_sigmoid(naive_sigmoid, verbose=False)
    assert not report and report.failures == 1
    ((label, detail),) = failing(report).items()
    assert "large |z|" in label
    assert "warned: RuntimeWarning" in detail


def test_the_naive_sigmoid_fails_because_of_the_warning_not_its_values():
    def silenced(z):
        with np.errstate(over="ignore"):
            return naive_sigmoid(z)

    assert check_sigmoid(silenced, verbose=False)


def test_a_warning_of_any_kind_counts_as_a_failure():
    def noisy(z):
        warnings.warn("hello", UserWarning, stacklevel=1)
        return expit(z)

    report = check_sigmoid(noisy, verbose=False)
    assert report.failures == 4
    assert "warned: UserWarning: hello" in str(report)


def test_tanh_instead_of_sigmoid_fails_every_case():
    report = check_sigmoid(np.tanh, verbose=False)
    assert report.failures == 4
    assert "z = 0.0" in str(report) and "expected 0.5, got 0" in str(report)


def test_a_flattening_sigmoid_fails_the_float_and_matrix_cases_with_both_shapes():
    report = check_sigmoid(lambda z: expit(np.ravel(z)), verbose=False)
    fails = failing(report)
    assert set(fails) == {"z = 0.0 (a float)", "a 3 x 4 matrix"}
    assert "expected shape (), got shape (1,)" in fails["z = 0.0 (a float)"]
    assert "expected shape (3, 4), got shape (12,)" in fails["a 3 x 4 matrix"]


def test_a_transposed_result_fails_on_its_shape():
    report = check_sigmoid(lambda z: expit(z).T, verbose=False)
    fails = failing(report)
    assert list(fails) == ["a 3 x 4 matrix"]
    assert "got shape (4, 3)" in fails["a 3 x 4 matrix"]


def test_a_flat_list_of_values_fails_the_float_and_matrix_cases():
    def as_list(z):
        return [1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0 for x in np.ravel(z)]

    # The flattening alone fails these two cases (a list is refused anyway, see below).
    fails = failing(check_sigmoid(as_list, verbose=False))
    assert {"z = 0.0 (a float)", "a 3 x 4 matrix"} <= set(fails)


def test_a_sigmoid_that_returns_lists_is_rejected():
    report = check_sigmoid(lambda z: expit(z).tolist(), verbose=False)
    assert not report
    assert "a vector on [-10, 10]" in failing(report)


def test_a_sigmoid_that_raises_fails_with_the_message_and_the_check_does_not_raise():
    def broken(z):
        raise ValueError("not implemented yet")

    report = check_sigmoid(broken, verbose=False)
    assert report.failures == 4
    for detail in failing(report).values():
        assert "raised ValueError: not implemented yet" in detail


def test_an_exception_on_floats_only_fails_the_float_case():
    report = check_sigmoid(lambda z: expit(z.copy()), verbose=False)
    fails = failing(report)
    assert list(fails) == ["z = 0.0 (a float)"]
    assert "raised AttributeError" in fails["z = 0.0 (a float)"]


def test_a_sigmoid_returning_a_map_object_is_reported_not_raised():
    def lazy(z):
        return map(expit, np.ravel(z))

    report = check_sigmoid(lazy, verbose=False)
    assert report.failures == 4


# --- an independent autoencoder, with switchable mistakes -----------------------------


def split(theta, visible, hidden, transposed_w2=False):
    """W1 (hidden, visible), W2 (visible, hidden), b1, b2 from the notes' layout."""
    hv = hidden * visible
    W1 = theta[:hv].reshape(hidden, visible)
    if transposed_w2:  # mistake: W2 read as (hidden, visible) and transposed
        W2 = theta[hv : 2 * hv].reshape(hidden, visible).T
    else:
        W2 = theta[hv : 2 * hv].reshape(visible, hidden)
    return W1, W2, theta[2 * hv : 2 * hv + hidden], theta[2 * hv + hidden :]


def cost_and_grad(theta, visible, hidden, lambda_, data, rho, beta, mistake):
    """J(W, b) of the notes (with the sparsity term when rho is given), and its
    gradient by backpropagation, optionally with one named mistake."""
    W1, W2, b1, b2 = split(theta, visible, hidden, mistake == "transposed_w2")
    m = data.shape[1]
    a2 = expit(W1 @ data + b1[:, None])
    a3 = expit(W2 @ a2 + b2[:, None])
    error = a3 - data
    cost = 0.5 * np.sum(error**2) / m + 0.5 * lambda_ * (np.sum(W1**2) + np.sum(W2**2))
    if mistake == "wrong_cost":
        cost = np.sum(error**2) / m + 0.5 * lambda_ * (np.sum(W1**2) + np.sum(W2**2))

    sparsity = np.zeros(hidden)
    if rho is not None:
        rho_hat = a2.mean(axis=1)
        if mistake == "kl_swapped":  # KL(rho_hat || rho) instead of KL(rho || rho_hat)
            kl = rho_hat * np.log(rho_hat / rho) + (1 - rho_hat) * np.log(
                (1 - rho_hat) / (1 - rho)
            )
            dkl = np.log(rho_hat / rho) - np.log((1 - rho_hat) / (1 - rho))
        else:
            kl = rho * np.log(rho / rho_hat) + (1 - rho) * np.log(
                (1 - rho) / (1 - rho_hat)
            )
            dkl = -rho / rho_hat + (1 - rho) / (1 - rho_hat)
        cost += beta * np.sum(kl)
        sparsity = dkl if mistake == "no_beta_in_grad" else beta * dkl

    delta3 = error * a3 * (1 - a3)
    back = W2.T @ delta3
    fprime2 = a2 * (1 - a2)
    if mistake == "term_outside":
        delta2 = back * fprime2 + sparsity[:, None]
    elif mistake == "no_fprime":
        delta2 = back + sparsity[:, None]
    else:
        delta2 = (back + sparsity[:, None]) * fprime2

    scale = 1.0 if mistake == "no_one_over_m" else 1.0 / m
    W1_grad = scale * (delta2 @ data.T) + lambda_ * W1
    W2_grad = scale * (delta3 @ a2.T) + lambda_ * W2
    b1_grad = scale * delta2.sum(axis=1)
    b2_grad = scale * delta3.sum(axis=1)
    if mistake == "bias_decay":
        b1_grad = b1_grad + lambda_ * b1
        b2_grad = b2_grad + lambda_ * b2
    # Mistakes confined to one parameter block.
    if mistake == "W1_no_decay":
        W1_grad = W1_grad - lambda_ * W1
    if mistake == "W2_no_decay":
        W2_grad = W2_grad - lambda_ * W2
    if mistake == "b1_no_one_over_m":
        b1_grad = delta2.sum(axis=1)
    if mistake == "b2_no_one_over_m":
        b2_grad = delta3.sum(axis=1)

    if mistake == "transposed_w1_grad":  # (visible, hidden) raveled into W1's place
        W1_flat = (data @ delta2.T / m + lambda_ * W1.T).ravel()
    else:
        W1_flat = W1_grad.ravel()
    # With W2 read transposed, its gradient is packed back the same way.
    W2_flat = W2_grad.T.ravel() if mistake == "transposed_w2" else W2_grad.ravel()
    grad = np.concatenate([W1_flat, W2_flat, b1_grad, b2_grad])
    if mistake == "grad_blocks":  # forgot to flatten: a list of the four blocks
        return cost, [W1_grad, W2_grad, b1_grad, b2_grad]
    return cost, grad


def make_backprop(mistake=None):
    def fn(theta, visible_size, hidden_size, lambda_, data):
        return cost_and_grad(
            theta, visible_size, hidden_size, lambda_, data, None, 0.0, mistake
        )

    return fn


def make_sparse_cost(mistake=None):
    def fn(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data):
        return cost_and_grad(
            theta,
            visible_size,
            hidden_size,
            lambda_,
            data,
            sparsity_param,
            beta,
            mistake,
        )

    return fn


def test_the_independent_implementation_matches_saelib():
    """Sanity check of the test's own code, outside the checkers."""
    from saelib import autoencoder_cost, sparse_autoencoder_cost

    rng = np.random.default_rng(5)
    visible, hidden, m = 5, 3, 4
    theta = rng.normal(scale=0.5, size=2 * hidden * visible + hidden + visible)
    data = rng.uniform(size=(visible, m))
    cost, grad = make_backprop()(theta, visible, hidden, 0.2, data)
    cost_ref, grad_ref = autoencoder_cost(theta, visible, hidden, 0.2, data)
    np.testing.assert_allclose(cost, cost_ref, rtol=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-10, atol=1e-14)
    cost, grad = make_sparse_cost()(theta, visible, hidden, 0.2, 0.1, 3.0, data)
    cost_ref, grad_ref = sparse_autoencoder_cost(
        theta, visible, hidden, 0.2, 0.1, 3.0, data
    )
    np.testing.assert_allclose(cost, cost_ref, rtol=1e-12)
    np.testing.assert_allclose(grad, grad_ref, rtol=1e-10, atol=1e-14)


# --- check_backprop ------------------------------------------------------------------


def test_check_backprop_accepts_the_reference():
    from saelib import autoencoder_cost

    report = check_backprop(autoencoder_cost, verbose=False)
    assert report and len(report.lines) == 5


def test_check_backprop_accepts_an_independent_correct_implementation():
    report = check_backprop(make_backprop(), verbose=False)
    assert report, str(report)


def test_check_backprop_compares_with_the_original_inputs():
    """A correct function that scribbles on its arguments afterwards still passes."""
    correct = make_backprop()

    def scribbler(theta, visible, hidden, lambda_, data):
        result = correct(theta, visible, hidden, lambda_, data)
        result = (result[0], result[1].copy())
        theta[:] = 0.0
        data[:] = 0.0
        return result

    assert check_backprop(scribbler, verbose=False)


def test_missing_one_over_m_is_rejected_and_named():
    fails = failing(check_backprop(make_backprop("no_one_over_m"), verbose=False))
    labels = set(outcomes(check_backprop(make_backprop(), verbose=False)))
    # With one example the sum is the mean: only that case passes.
    assert set(fails) == {label for label in labels if params(label)["m"] != 1}
    for detail in fails.values():
        assert detail.startswith("grad: ")
        assert "likely mistake: no 1/m" in detail


def test_weight_decay_on_the_biases_is_rejected_and_named():
    fails = failing(check_backprop(make_backprop("bias_decay"), verbose=False))
    assert fails
    # Without weight decay the mistake is invisible: the lambda = 0 case passes.
    assert all(params(label)["lambda"] > 0 for label in fails)
    assert len(fails) == 4
    for detail in fails.values():
        assert "likely mistake: weight decay applied to the biases" in detail
        # The weights are right; the first difference is in a bias.
        assert "first at b1[" in detail or "first at b2[" in detail


def test_a_transposed_w1_gradient_is_rejected_at_w1():
    fails = failing(check_backprop(make_backprop("transposed_w1_grad"), verbose=False))
    # With one hidden unit W1 and its transpose are raveled in the same order.
    assert len(fails) == 4
    assert all(params(label)["hidden"] > 1 for label in fails)
    for detail in fails.values():
        assert detail.startswith("grad: ")
        assert "first at W1[" in detail
        assert "likely mistake" not in detail


def test_w2_read_transposed_is_rejected_on_the_cost():
    fails = failing(check_backprop(make_backprop("transposed_w2"), verbose=False))
    # With one hidden unit, W2 and its transpose hold the same numbers in the same
    # order, so only that case cannot see the mistake.
    assert len(fails) == 4
    assert all(params(label)["hidden"] > 1 for label in fails)
    for detail in fails.values():
        assert detail.startswith("cost: ")


def test_forgetting_f_prime_in_delta2_is_rejected():
    report = check_backprop(make_backprop("no_fprime"), verbose=False)
    assert report.failures == 5
    for detail in failing(report).values():
        assert detail.startswith("grad: ") and "first at W1[" in detail


def test_returning_only_the_cost_fails_with_a_clear_message():
    correct = make_backprop()

    def cost_only(*args):
        return correct(*args)[0]

    report = check_backprop(cost_only, verbose=False)
    assert report.failures == 5
    for detail in failing(report).values():
        assert detail.startswith("must return (cost, grad), got float")


def test_a_wrong_cost_with_the_right_gradient_fails_on_the_cost():
    report = check_backprop(make_backprop("wrong_cost"), verbose=False)
    assert report.failures == 5
    for detail in failing(report).values():
        assert detail.startswith("cost: ")
        assert "expected" in detail and "got" in detail


@pytest.mark.parametrize(
    ("mistake", "block"),
    [
        ("W1_no_decay", "W1"),
        ("W2_no_decay", "W2"),
        ("b1_no_one_over_m", "b1"),
        ("b2_no_one_over_m", "b2"),
    ],
)
def test_the_first_difference_names_the_right_block(mistake, block):
    fails = failing(check_backprop(make_backprop(mistake), verbose=False))
    assert fails
    for detail in fails.values():
        assert f"first at {block}[" in detail
        for other in {"W1", "W2", "b1", "b2"} - {block}:
            assert f"{other}[" not in detail


def test_the_first_difference_names_row_and_column():
    correct = make_backprop()

    def one_entry_wrong(theta, visible, hidden, lambda_, data):
        cost, grad = correct(theta, visible, hidden, lambda_, data)
        hv = hidden * visible
        if hidden > 1:
            grad[hv + 2 * hidden + 1] += 1.0  # W2[2, 1]: W2 is (visible, hidden)
        grad[2 * hv + 1] += 1.0  # b1[1] if hidden > 1, else b2[0]
        return cost, grad

    fails = failing(check_backprop(one_entry_wrong, verbose=False))
    assert len(fails) == 5
    for label, detail in fails.items():
        if params(label)["hidden"] == 1:
            assert "1 of " in detail and "first at b2[0]:" in detail
        else:
            assert "2 of " in detail and "first at W2[2, 1]:" in detail


# --- check_sparse_cost ---------------------------------------------------------------


def test_check_sparse_cost_accepts_the_reference():
    from saelib import sparse_autoencoder_cost

    report = check_sparse_cost(sparse_autoencoder_cost, verbose=False)
    assert report and len(report.lines) == 5


def test_check_sparse_cost_accepts_an_independent_correct_implementation():
    report = check_sparse_cost(make_sparse_cost(), verbose=False)
    assert report, str(report)


def test_sparsity_term_outside_f_prime_is_rejected_and_named():
    report = check_sparse_cost(make_sparse_cost("term_outside"), verbose=False)
    results = outcomes(report)
    for label, (ok, detail) in results.items():
        if params(label)["beta"] == 0:
            # beta = 0: no sparsity term, the two versions coincide.
            assert ok, detail
        else:
            assert not ok
            assert detail.startswith("grad: ")
            assert "likely mistake: the sparsity term is added outside the product" in (
                detail
            )
    assert report.failures == 4


def test_kl_with_rho_and_rho_hat_swapped_is_rejected():
    results = outcomes(check_sparse_cost(make_sparse_cost("kl_swapped"), verbose=False))
    for label, (ok, detail) in results.items():
        if params(label)["beta"] == 0:
            assert ok, detail
        else:
            assert not ok and detail.startswith("cost: ")


def test_missing_beta_in_the_gradient_is_rejected():
    report = check_sparse_cost(make_sparse_cost("no_beta_in_grad"), verbose=False)
    # No case has beta = 1, so every case sees the missing factor, beta = 0 included.
    assert report.failures == 5
    for detail in failing(report).values():
        assert detail.startswith("grad: ")
        assert "first at W1[" in detail
        assert "outside the product" not in detail


def make_sparse_cost_plain():
    """Chapter 2's cost, ignoring rho and beta."""
    plain = make_backprop()

    def fn(theta, visible, hidden, lambda_, sparsity_param, beta, data):
        return plain(theta, visible, hidden, lambda_, data)

    return fn


def test_sparse_cost_without_the_sparsity_term_fails_when_beta_is_positive():
    results = outcomes(check_sparse_cost(make_sparse_cost_plain(), verbose=False))
    for label, (ok, detail) in results.items():
        assert ok == (params(label)["beta"] == 0), (label, detail)


# --- check_numerical_gradient --------------------------------------------------------


def central(J, theta, epsilon=1e-4):
    grad = np.zeros(theta.size)
    for i in range(theta.size):
        step = np.zeros(theta.size)
        step[i] = epsilon
        grad[i] = (J(theta + step) - J(theta - step)) / (2 * epsilon)
    return grad


def forward_difference(J, theta, epsilon=1e-4):
    grad = np.zeros(theta.size)
    for i in range(theta.size):
        step = np.zeros(theta.size)
        step[i] = epsilon
        grad[i] = (J(theta + step) - J(theta)) / epsilon
    return grad


def test_check_numerical_gradient_accepts_the_reference():
    from saelib import compute_numerical_gradient

    report = check_numerical_gradient(compute_numerical_gradient, verbose=False)
    assert report and len(report.lines) == 3


def test_check_numerical_gradient_accepts_an_independent_central_difference():
    assert check_numerical_gradient(central, verbose=False)


def test_a_one_sided_difference_is_rejected_and_named():
    report = check_numerical_gradient(forward_difference, verbose=False)
    assert report.failures == 3
    for detail in failing(report).values():
        assert "likely mistake: a one-sided difference" in detail


def test_a_backward_difference_is_rejected():
    def backward(J, theta, epsilon=1e-4):
        return forward_difference(J, theta, -epsilon)  # (J(t) - J(t - eps)) / eps

    assert backward(lambda x: x[0] ** 2, np.array([1.0]))[0] == pytest.approx(2.0, 1e-3)
    assert check_numerical_gradient(backward, verbose=False).failures == 3


def test_the_wrong_denominator_is_rejected():
    def epsilon_denominator(J, theta, epsilon=1e-4):
        grad = np.zeros(theta.size)
        for i in range(theta.size):
            step = np.zeros(theta.size)
            step[i] = epsilon
            grad[i] = (J(theta + step) - J(theta - step)) / epsilon
        return grad

    report = check_numerical_gradient(epsilon_denominator, verbose=False)
    assert report.failures == 3
    for detail in failing(report).values():
        assert "entries differ" in detail
        assert "one-sided" not in detail


def test_modifying_theta_in_place_is_rejected():
    def in_place(J, theta, epsilon=1e-4):
        grad = np.zeros(theta.size)
        for i in range(theta.size):
            theta[i] += epsilon
            plus = J(theta)
            theta[i] -= 2 * epsilon
            minus = J(theta)  # theta[i] is left at theta_i - epsilon
            grad[i] = (plus - minus) / (2 * epsilon)
        return grad

    report = check_numerical_gradient(in_place, verbose=False)
    assert report.failures == 3
    for detail in failing(report).values():
        assert "theta was modified" in detail


def test_perturbing_in_place_and_restoring_exactly_passes():
    def restoring(J, theta, epsilon=1e-4):
        grad = np.zeros(theta.size)
        for i in range(theta.size):
            original = theta[i]
            theta[i] = original + epsilon
            plus = J(theta)
            theta[i] = original - epsilon
            minus = J(theta)
            theta[i] = original
            grad[i] = (plus - minus) / (2 * epsilon)
        return grad

    assert check_numerical_gradient(restoring, verbose=False)


def test_a_gradient_of_the_wrong_length_is_reported_not_raised():
    def off_by_one(J, theta, epsilon=1e-4):
        return central(J, theta, epsilon)[1:]  # loop started at 1

    report = check_numerical_gradient(off_by_one, verbose=False)
    assert report.failures == 3
    assert "expected shape (3,), got shape (2,)" in str(report)


# --- behaviour shared by the four checkers -------------------------------------------


def raising(*args):
    raise RuntimeError("boom")


CHECKERS = [check_sigmoid, check_backprop, check_sparse_cost, check_numerical_gradient]


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
def test_a_function_that_raises_is_reported_not_raised(check):
    report = check(raising, verbose=False)
    assert not report
    assert report.failures == len(report.lines)
    assert str(report).count("raised RuntimeError: boom") == report.failures


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
def test_verbose_false_prints_nothing(check, capsys):
    check(raising, verbose=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("check", CHECKERS, ids=lambda c: c.__name__)
def test_verbose_prints_the_report(check, capsys):
    report = check(raising)
    assert capsys.readouterr().out == str(report) + "\n"
    assert str(report).startswith(f"{check.__name__}: {report.failures} case(s) fail")


def test_a_passing_check_prints_all_cases_pass(capsys):
    report = check_numerical_gradient(central)
    out = capsys.readouterr().out
    assert out == str(report) + "\n"
    assert out.startswith("check_numerical_gradient: all cases pass")


@pytest.mark.parametrize(
    ("check", "make"),
    [(check_backprop, make_backprop), (check_sparse_cost, make_sparse_cost)],
    ids=["check_backprop", "check_sparse_cost"],
)
def test_unflattened_gradient_blocks_are_reported_not_raised(check, make):
    report = check(make("grad_blocks"), verbose=False)
    assert report.failures == 5
