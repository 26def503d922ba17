"""Unit tests of saelib.sae_metrics (chapter 15: L0, FVU, firing rates).

References: hand-computed values on small arrays, and loops over examples and
latents written here.
"""

import numpy as np
import pytest

from saelib.sae_metrics import (
    dead_fraction,
    firing_rates,
    fraction_variance_unexplained,
    l0,
    log10_firing_rates,
)

CODES = np.array(
    [
        [0.0, 1.0, 0.0, 2.0],
        [0.0, 0.5, 0.0, 0.0],
        [0.0, 3.0, 0.0, 1.0],
        [0.0, 0.2, 0.1, 0.0],
    ]
)


def test_hand_computed_values():
    assert l0(CODES) == pytest.approx(7 / 4)
    np.testing.assert_allclose(firing_rates(CODES), [0, 1, 0.25, 0.5])
    assert dead_fraction(CODES) == 0.25
    logs = log10_firing_rates(CODES)
    assert logs[0] == -np.inf
    np.testing.assert_allclose(logs[1:], np.log10([1, 0.25, 0.5]))


def test_against_loops_on_random_codes():
    rng = np.random.default_rng(0)
    codes = np.maximum(rng.normal(size=(50, 30)) - 1.5, 0)
    counts = [sum(1 for j in range(30) if codes[i, j] != 0) for i in range(50)]
    assert l0(codes) == pytest.approx(sum(counts) / 50)
    rates = [sum(1 for i in range(50) if codes[i, j] != 0) / 50 for j in range(30)]
    np.testing.assert_allclose(firing_rates(codes), rates)
    assert firing_rates(codes).sum() == pytest.approx(l0(codes))
    assert dead_fraction(codes) == pytest.approx(sum(r == 0 for r in rates) / 30)


def test_fvu_closed_forms():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    assert fraction_variance_unexplained(X, X) == 0.0
    mean = np.broadcast_to(X.mean(axis=0), X.shape)
    assert fraction_variance_unexplained(X, mean) == pytest.approx(1.0)
    # Scaling the centred data by 0.5 leaves a quarter of the variance.
    half = X.mean(axis=0) + 0.5 * (X - X.mean(axis=0))
    assert fraction_variance_unexplained(X, half) == pytest.approx(0.25)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="2-D"):
        l0(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        firing_rates(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="same shape"):
        fraction_variance_unexplained(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="zero variance"):
        fraction_variance_unexplained(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        fraction_variance_unexplained(np.ones((3, 2)), np.full((3, 2), np.inf))


# --- reliability (issue 12) ------------------------------------------------------


@pytest.mark.parametrize(
    "metric", [l0, firing_rates, dead_fraction, log10_firing_rates]
)
def test_code_metrics_refuse_complex_codes(metric):
    with pytest.raises(TypeError, match="codes must hold real numbers.*complex"):
        metric(CODES + 0j)


@pytest.mark.parametrize(
    "metric", [l0, firing_rates, dead_fraction, log10_firing_rates]
)
@pytest.mark.parametrize("shape", [(0, 4), (4, 0), (0, 0)])
def test_code_metrics_refuse_no_samples_or_no_latents(metric, shape):
    """dead_fraction of an empty array was NaN with a warning."""
    with pytest.raises(ValueError, match="n_samples >= 1 and n_latents >= 1"):
        metric(np.zeros(shape))


def test_code_metrics_refuse_strings():
    with pytest.raises(TypeError, match="codes must hold real numbers"):
        l0(np.array([["a"]]))


@pytest.mark.parametrize("which", ["X", "X_hat"])
def test_fvu_refuses_complex_data(which):
    X = np.arange(12.0).reshape(4, 3)
    arrays = {"X": X, "X_hat": X} | {which: X + 0j}
    with pytest.raises(TypeError, match=f"{which} must hold real numbers"):
        fraction_variance_unexplained(**arrays)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_fvu_refuses_no_samples_or_no_features(shape):
    with pytest.raises(ValueError, match="at least one sample and one feature"):
        fraction_variance_unexplained(np.zeros(shape), np.zeros(shape))
