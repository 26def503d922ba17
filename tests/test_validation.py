"""saelib.validation (chapter 1): the shared checks name the argument and refuse
what the issue's fuzz slipped through (bools, strings, complex, sparse, negative
seeds)."""

import numpy as np
import pytest
from scipy import sparse

from saelib import (
    color_energy_fractions,
    compute_numerical_gradient,
    forward_propagation,
    initialize_parameters,
    kl_divergence,
    pack_parameters,
    relative_difference,
    relu_sae_loss,
    sigmoid,
)
from saelib.validation import (
    as_real_array,
    check_columns,
    check_int,
    check_labels,
    check_nonnegative,
    check_random_state,
    check_real,
)


@pytest.mark.parametrize("value", [True, np.bool_(False), 2.0, "3", None, [3]])
def test_check_int_refuses_what_is_not_an_integer(value):
    with pytest.raises(TypeError, match="hidden_size must be an int"):
        check_int(value, "hidden_size")


def test_check_int_accepts_numpy_integers_and_checks_the_minimum():
    assert check_int(np.int64(5), "n") == 5 and type(check_int(np.int8(5), "n")) is int
    assert check_int(0, "n", minimum=0) == 0
    with pytest.raises(ValueError, match="n must be an int >= 1, got 0"):
        check_int(0, "n")


@pytest.mark.parametrize("value", ["1e-4", True, None, np.array([1.0]), 1 + 0j])
def test_check_real_refuses_what_is_not_a_real_number(value):
    with pytest.raises(TypeError, match="lambda_ must be a real number"):
        check_real(value, "lambda_")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, -1e-300])
def test_check_nonnegative_refuses_nan_inf_and_negatives(value):
    with pytest.raises(ValueError, match=r"beta must be a finite number in \[0, inf\]"):
        check_nonnegative(value, "beta")


def test_check_real_open_interval_excludes_its_ends():
    args = dict(low=0.0, high=1.0, open_low=True, open_high=True)
    assert check_real(np.float32(0.5), "rho", **args) == 0.5
    for value in (0.0, 1.0, 1.5):
        with pytest.raises(
            ValueError, match=r"rho must be a finite number in \(0, 1\)"
        ):
            check_real(value, "rho", **args)


def test_check_random_state_seeds_reproducibly_and_refuses_bad_seeds():
    a = check_random_state(3).uniform(size=4)
    b = np.random.default_rng(3).uniform(size=4)
    assert np.array_equal(a, b)
    rng = np.random.default_rng(0)
    assert check_random_state(rng) is rng
    with pytest.raises(ValueError, match="random_state must be an int seed >= 0"):
        check_random_state(-1)
    for bad in (True, 1.5, "0"):
        with pytest.raises(TypeError, match="random_state must be an int seed"):
            check_random_state(bad)


def test_as_real_array_keeps_float32_and_converts_integers_to_float64():
    assert as_real_array(np.ones(3, np.float32), "x").dtype == np.float32
    assert as_real_array(np.ones(3, np.float16), "x").dtype == np.float32
    assert as_real_array([1, 2], "x").dtype == np.float64
    assert as_real_array(np.array([1.0, 2.0], dtype=object), "x").dtype == np.float64


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.ones(3) + 1j, "complex values are not supported"),
        (np.array([1, "a"], dtype=object), "objects that are not numbers"),
        (np.array(["a", "b"]), "must hold real numbers"),
        (sparse.csr_matrix(np.eye(2)), "sparse matrix"),
        ([[1.0], [1.0, 2.0]], "must be an array of real numbers"),
    ],
)
def test_as_real_array_refuses_complex_objects_strings_sparse_and_ragged(bad, match):
    with pytest.raises(TypeError, match=match):
        as_real_array(bad, "x")


def test_as_real_array_counts_non_finite_values():
    with pytest.raises(ValueError, match="x contains 2 NaN or infinite"):
        as_real_array([1.0, np.nan, np.inf], "x")
    assert np.isnan(as_real_array([np.nan], "x", finite=False)[0])


def test_check_columns_gives_the_layout_and_a_hint_for_one_example():
    with pytest.raises(ValueError, match=r"write one example as data\[:, None\]"):
        check_columns(np.ones(4), 4)
    with pytest.raises(ValueError, match=r"got shape \(4, 0\)"):
        check_columns(np.ones((4, 0)), 4)
    assert check_columns(np.ones((4, 2)), 4).shape == (4, 2)


def test_forward_propagation_checks_shapes_before_work():
    """The fuzz: a 1-D data vector gave arrays of shapes (2, 2) and (4, 2)."""
    theta = initialize_parameters(2, 4, rng=0)
    W1, b1 = theta[:8].reshape(2, 4), np.zeros(2)
    W2, b2 = theta[8:16].reshape(4, 2), np.zeros(4)
    with pytest.raises(ValueError, match=r"data must have shape \(visible_size, m\)"):
        forward_propagation(W1, b1, W2, b2, np.ones(4))
    with pytest.raises(ValueError, match="expected W1"):
        forward_propagation(W1, b1, W2.T, b2, np.ones((4, 3)))
    with pytest.raises(ValueError, match="b2 must have shape"):
        forward_propagation(W1, b1, W2, np.zeros(3), np.ones((4, 3)))
    with pytest.raises(TypeError, match="complex"):
        forward_propagation(W1, b1, W2, b2, np.ones((4, 3)) + 0j)


def test_sigmoid_refuses_complex_input_instead_of_dropping_the_imaginary_part():
    with pytest.raises(TypeError, match="complex"):
        sigmoid(np.array([1.0 + 2.0j]))


def test_pack_parameters_refuses_complex_weights():
    W1, W2, b1, b2 = np.ones((2, 3)), np.ones((3, 2)), np.zeros(2), np.zeros(3)
    with pytest.raises(TypeError, match="W2 must hold real numbers"):
        pack_parameters(W1, W2 + 1j, b1, b2)


def test_initialize_parameters_names_a_negative_seed():
    with pytest.raises(ValueError, match="rng must be an int seed >= 0"):
        initialize_parameters(2, 3, rng=-1)


def test_gradient_check_refuses_complex_theta_and_an_epsilon_given_as_text():
    def J(t):
        return float(t @ t)

    with pytest.raises(TypeError, match="theta must hold real numbers"):
        compute_numerical_gradient(J, np.ones(2) + 1j)
    for bad in ("1e-4", True):
        with pytest.raises(TypeError, match="epsilon must be a real number"):
            compute_numerical_gradient(J, np.ones(2), epsilon=bad)
    with pytest.raises(TypeError, match="complex"):
        relative_difference(np.ones(2) + 1j, np.ones(2))


def test_modern_losses_refuse_complex_parameters():
    rng = np.random.default_rng(0)
    params = {
        "W_enc": rng.normal(size=(4, 3)) + 1j,
        "b_enc": np.zeros(4),
        "W_dec": rng.normal(size=(3, 4)),
        "b_dec": np.zeros(3),
    }
    with pytest.raises(TypeError, match=r"params\['W_enc'\] must be real"):
        relu_sae_loss(params, rng.normal(size=(5, 3)), 0.1)


def test_kl_divergence_names_rho_hat_when_it_is_complex():
    with pytest.raises(TypeError, match="rho_hat must hold real numbers"):
        kl_divergence(0.1, np.array([0.2 + 0.1j]))


def test_color_filter_displays_refuse_complex_filters():
    filters = np.ones((12, 2)) + 1j  # two 2x2 RGB filters
    with pytest.raises(TypeError, match="must hold real numbers"):
        color_energy_fractions(filters)


def test_check_labels_refuses_floats_and_bools_and_names_the_range():
    assert check_labels([0, 2, 1], 3, 3).dtype == np.int64
    for bad in (np.array([0.0, 0.5, 1.0]), np.array([True, False, True])):
        with pytest.raises(TypeError, match="labels must hold integer class labels"):
            check_labels(bad, 3, 3)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2 for 3 classes"):
        check_labels([0, 3, 1], 3, 3)
    with pytest.raises(ValueError, match=r"shape \(3,\), one label per example"):
        check_labels([0, 1], 3, 3)
