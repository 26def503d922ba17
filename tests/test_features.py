"""Unit tests of saelib.features (chapter 12: self-taught learning).

References are independent of saelib's vectorized code: the scalar loop forward
pass of ``reference.py`` (written from the notes' math, one example and one unit at
a time, with ``math.exp``), and a per-column ``numpy`` loop of eq-ch12-features.
``saelib.forward_propagation`` (chapter 1) and the estimator's ``transform``
(chapter 7) are checked for agreement too.
"""

import warnings

import numpy as np
import pytest
import reference as ref
from reference import problem

from saelib import (
    SparseAutoencoder,
    forward_propagation,
    pack_parameters,
    unpack_parameters,
)
from saelib.features import feedforward_autoencoder

# (visible, hidden, m): includes m = 1, hidden = 1, visible = 1 and hidden > visible.
SHAPES = [(1, 1, 1), (3, 1, 4), (4, 2, 1), (5, 3, 7), (6, 4, 5), (2, 6, 3)]


@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_matches_the_scalar_loop_reference(visible, hidden, m):
    theta, data = problem(visible * 100 + hidden * 10 + m, visible, hidden, m, 2.0)
    got = feedforward_autoencoder(theta, hidden, visible, data)
    W1, W2, b1, b2 = ref.split_theta(theta, visible, hidden)
    expected, _ = ref.forward(W1, b1, W2, b2, data)
    assert got.shape == (hidden, m)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_matches_a_loop_over_columns_and_forward_propagation(visible, hidden, m):
    theta, data = problem(7 + visible + hidden + m, visible, hidden, m, 3.0)
    got = feedforward_autoencoder(theta, hidden, visible, data)
    W1, W2, b1, b2 = unpack_parameters(theta, visible, hidden)
    for i in range(m):  # eq-ch12-features, one column at a time
        column = 1.0 / (1.0 + np.exp(-(W1 @ data[:, i] + b1)))
        np.testing.assert_allclose(got[:, i], column, rtol=1e-13, atol=1e-15)
    a2, _ = forward_propagation(W1, b1, W2, b2, data)
    np.testing.assert_allclose(got, a2, rtol=1e-13, atol=1e-15)


def test_uses_only_the_encoder():
    visible, hidden, m = 5, 3, 4
    theta, data = problem(11, visible, hidden, m)
    other = theta.copy()
    other[hidden * visible : 2 * hidden * visible] = 99.0  # W2
    other[2 * hidden * visible + hidden :] = -99.0  # b2
    np.testing.assert_array_equal(
        feedforward_autoencoder(theta, hidden, visible, data),
        feedforward_autoencoder(other, hidden, visible, data),
    )


def test_columns_are_independent_examples():
    theta, data = problem(3, 6, 4, 9)
    whole = feedforward_autoencoder(theta, 4, 6, data)
    for i in (0, 4, 8):
        one = feedforward_autoencoder(theta, 4, 6, data[:, i : i + 1])
        np.testing.assert_allclose(whole[:, i : i + 1], one, rtol=1e-14, atol=0)


def test_matches_the_estimator_transform():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(40, 9))  # (n_samples, n_features)
    model = SparseAutoencoder(hidden_size=4, max_iter=20, random_state=0).fit(X)
    theta = pack_parameters(model.W1_, model.W2_, model.b1_, model.b2_)
    got = feedforward_autoencoder(theta, 4, 9, X.T)
    np.testing.assert_allclose(got, model.transform(X).T, rtol=1e-13, atol=1e-15)


def test_huge_inputs_do_not_overflow_and_stay_in_unit_interval():
    visible, hidden = 3, 2
    W1 = np.array([[1e3, 0.0, 0.0], [-1e3, 0.0, 0.0]])
    theta = pack_parameters(W1, np.zeros((visible, hidden)), np.zeros(2), np.zeros(3))
    data = np.array([[-5.0, 5.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning fails the test
        got = feedforward_autoencoder(theta, hidden, visible, data)
    assert np.all((got >= 0) & (got <= 1))
    np.testing.assert_allclose(got[:, 2], [0.5, 0.5])
    assert got[0, 0] == 0.0 and got[0, 1] == 1.0
    assert got[1, 0] == 1.0 and got[1, 1] == 0.0


def test_dtypes():
    theta, data = problem(2, 4, 3, 5)
    assert feedforward_autoencoder(theta, 3, 4, data).dtype == np.float64
    got32 = feedforward_autoencoder(
        theta.astype(np.float32), 3, 4, data.astype(np.float32)
    )
    assert got32.dtype == np.float32
    np.testing.assert_allclose(
        got32, feedforward_autoencoder(theta, 3, 4, data), rtol=1e-5
    )
    # integer data is accepted and converted
    ints = np.array([[0, 1], [1, 0], [1, 1], [0, 0]])
    np.testing.assert_allclose(
        feedforward_autoencoder(theta, 3, 4, ints),
        feedforward_autoencoder(theta, 3, 4, ints.astype(float)),
    )
    # lists work too
    np.testing.assert_allclose(
        feedforward_autoencoder(list(theta), 3, 4, data.tolist()),
        feedforward_autoencoder(theta, 3, 4, data),
    )


# --- errors ------------------------------------------------------------------------


def test_theta_of_the_wrong_length():
    theta, data = problem(1, 4, 3, 2)
    with pytest.raises(ValueError, match="theta must be a 1-D array of length"):
        feedforward_autoencoder(theta[:-1], 3, 4, data)
    with pytest.raises(ValueError, match="theta"):
        feedforward_autoencoder(theta.reshape(1, -1), 3, 4, data)


def test_data_of_the_wrong_shape():
    theta, data = problem(1, 4, 3, 2)
    with pytest.raises(ValueError, match=r"data must have shape \(visible_size, m\)"):
        feedforward_autoencoder(theta, 3, 4, data[:-2])  # 2 rows, neither size
    with pytest.raises(ValueError, match="data must have shape"):
        feedforward_autoencoder(theta, 3, 4, data[:, 0])  # 1-D: one example
    with pytest.raises(ValueError, match="m >= 1"):
        feedforward_autoencoder(theta, 3, 4, data[:, :0])


def test_swapped_sizes_get_a_hint():
    theta, data = problem(1, 4, 3, 2)  # visible 4, hidden 3
    with pytest.raises(ValueError, match="swapped"):
        feedforward_autoencoder(theta, 4, 3, data)  # data has 4 = hidden_size rows


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf(bad):
    theta, data = problem(1, 4, 3, 2)
    broken = data.copy()
    broken[1, 1] = bad
    with pytest.raises(ValueError, match="data contains .*NaN or inf"):
        feedforward_autoencoder(theta, 3, 4, broken)
    broken_theta = theta.copy()
    broken_theta[0] = bad
    with pytest.raises(ValueError, match="theta contains .*NaN or inf"):
        feedforward_autoencoder(broken_theta, 3, 4, data)


@pytest.mark.parametrize(
    ("hidden", "visible", "error"),
    [
        (3.0, 4, TypeError),
        (3, "4", TypeError),
        (True, 4, TypeError),
        (0, 4, ValueError),
    ],
)
def test_bad_sizes(hidden, visible, error):
    theta, data = problem(1, 4, 3, 2)
    with pytest.raises(error):
        feedforward_autoencoder(theta, hidden, visible, data)


@pytest.mark.parametrize("name", ["theta", "data"])
def test_complex_theta_or_data_is_refused_not_truncated(name):
    theta, data = problem(1, 4, 3, 2)
    arrays = {"theta": theta, "data": data}
    arrays[name] = arrays[name] + 0j
    with pytest.raises(TypeError, match=f"{name} must hold real numbers.*complex"):
        feedforward_autoencoder(arrays["theta"], 3, 4, arrays["data"])


@pytest.mark.parametrize("data", [np.zeros((4, 0)), np.zeros((0, 2))], ids=str)
def test_no_examples_or_no_features_is_refused(data):
    theta, _ = problem(1, 4, 3, 2)
    with pytest.raises(ValueError, match="m >= 1"):
        feedforward_autoencoder(theta, 3, 4, data)


def test_public_api():
    import saelib

    assert "feedforward_autoencoder" in saelib.__all__
    assert saelib.feedforward_autoencoder is feedforward_autoencoder
