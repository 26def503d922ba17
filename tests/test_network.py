"""Unit tests of saelib.network (chapter 1: neural networks and forward propagation).

References are independent of saelib: closed forms, finite differences, and the loop
implementation in tests/reference.py.
"""

import math
import warnings

import numpy as np
import pytest
import reference as ref

from saelib.network import (
    forward_propagation,
    initialize_parameters,
    pack_parameters,
    sigmoid,
    sigmoid_prime,
    tanh_prime,
    unpack_parameters,
)

# (visible, hidden, m): includes m = 1, hidden = 1 and visible = 1.
SHAPES = [(1, 1, 1), (3, 1, 4), (4, 2, 1), (5, 3, 7), (8, 5, 10), (2, 6, 3)]


def random_parameters(rng, visible, hidden, scale=1.0):
    """W1, W2, b1, b2 with every entry uniform in [-scale, scale]."""
    W1 = rng.uniform(-scale, scale, (hidden, visible))
    W2 = rng.uniform(-scale, scale, (visible, hidden))
    b1 = rng.uniform(-scale, scale, hidden)
    b2 = rng.uniform(-scale, scale, visible)
    return W1, W2, b1, b2


def test_public_api_exports_chapter_1():
    import saelib

    for name in [
        "sigmoid",
        "sigmoid_prime",
        "tanh_prime",
        "initialize_parameters",
        "pack_parameters",
        "unpack_parameters",
        "forward_propagation",
    ]:
        assert name in saelib.__all__
        assert getattr(saelib, name) is globals()[name]


# --- sigmoid ---------------------------------------------------------------------


def test_sigmoid_matches_math_exp_elementwise():
    rng = np.random.default_rng(0)
    z = rng.uniform(-40, 40, (7, 9))
    expected = np.array([[ref.sigmoid(x) for x in row] for row in z])
    np.testing.assert_allclose(sigmoid(z), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (0.0, 0.5),
        (math.log(3.0), 0.75),  # 1 / (1 + 1/3)
        (-math.log(3.0), 0.25),
        (math.log(9.0), 0.9),
        (1.0, 1.0 / (1.0 + math.exp(-1.0))),
    ],
)
def test_sigmoid_closed_forms(z, expected):
    assert float(sigmoid(z)) == pytest.approx(expected, rel=1e-15, abs=0)


def test_sigmoid_symmetry():
    z = np.random.default_rng(1).normal(0, 10, 1000)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=0, atol=1e-15)


def test_sigmoid_is_monotone_and_in_unit_interval():
    z = np.linspace(-50, 50, 10001)
    a = sigmoid(z)
    assert np.all(a >= 0.0)
    assert np.all(a <= 1.0)
    assert np.all(np.diff(a) >= 0.0)


def test_sigmoid_tail_keeps_relative_accuracy():
    # For z << 0, f(z) = e^z / (1 + e^z) ~ e^z: a naive 1 - 1/(1+e^-z) would lose it.
    z = np.array([-30.0, -100.0, -700.0])
    np.testing.assert_allclose(sigmoid(z), [ref.sigmoid(x) for x in z], rtol=1e-14)
    assert sigmoid(-100.0) > 0.0


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("dtype", "magnitude"),
    [(np.float64, x) for x in (50.0, 100.0, 710.0, 800.0, 1e4, 1e300)]
    + [(np.float32, x) for x in (50.0, 100.0, 89.0, 1e4, 1e38)],
)
def test_sigmoid_no_overflow_warning_at_extremes(dtype, magnitude):
    z = np.array([-magnitude, magnitude, 0.0], dtype=dtype)
    a = sigmoid(z)
    assert np.all(np.isfinite(a))
    assert a[0] == pytest.approx(0.0, abs=1e-20)
    assert a[1] == 1.0
    assert a[2] == 0.5


def test_sigmoid_no_warning_at_infinity():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = sigmoid(np.array([-np.inf, np.inf]))
    np.testing.assert_array_equal(a, [0.0, 1.0])


def test_sigmoid_keeps_float32():
    z = np.random.default_rng(2).normal(size=(3, 4)).astype(np.float32)
    a = sigmoid(z)
    assert a.dtype == np.float32
    expected = [[ref.sigmoid(x) for x in row] for row in z.astype(np.float64)]
    np.testing.assert_allclose(a, expected, rtol=1e-6)


@pytest.mark.parametrize("z", [np.array([-3, 0, 2]), [1, 2, 3], 5, np.int32(-2)])
def test_sigmoid_converts_integers_to_float64(z):
    a = sigmoid(z)
    assert a.dtype == np.float64
    expected = [ref.sigmoid(x) for x in np.ravel(z)]
    np.testing.assert_allclose(np.ravel(a), expected, rtol=1e-15)


@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3), (2, 3, 4)])
def test_sigmoid_keeps_shape(shape):
    z = np.random.default_rng(3).normal(size=shape)
    assert np.shape(sigmoid(z)) == shape


def test_sigmoid_does_not_modify_input():
    z = np.random.default_rng(4).normal(0, 5, 50)
    before = z.copy()
    sigmoid(z)
    np.testing.assert_array_equal(z, before)


# --- derivatives -------------------------------------------------------------------


def test_sigmoid_prime_matches_central_differences():
    z = np.random.default_rng(5).uniform(-8, 8, 200)
    eps = 1e-5
    numerical = np.array(
        [(ref.sigmoid(x + eps) - ref.sigmoid(x - eps)) / (2 * eps) for x in z]
    )
    # Rounding of f(z +- eps) near 1 limits the difference to ~1e-16 / eps.
    np.testing.assert_allclose(sigmoid_prime(z), numerical, rtol=1e-8, atol=1e-10)


def test_sigmoid_prime_closed_form():
    z = np.random.default_rng(6).uniform(-20, 20, 100)
    expected = [ref.sigmoid(x) * (1.0 - ref.sigmoid(x)) for x in z]
    np.testing.assert_allclose(sigmoid_prime(z), expected, rtol=1e-12)
    # Maximum 1/4 at z = 0; f'(log 3) = 3/4 * 1/4.
    assert float(sigmoid_prime(0.0)) == 0.25
    assert float(sigmoid_prime(math.log(3.0))) == pytest.approx(3 / 16, rel=1e-15)
    assert np.all(sigmoid_prime(np.linspace(-30, 30, 1001)) <= 0.25)


@pytest.mark.filterwarnings("error")
def test_sigmoid_prime_no_warning_at_extremes():
    d = sigmoid_prime(np.array([-1e4, 1e4, -800.0, 800.0]))
    assert np.all(np.isfinite(d))
    assert np.all(d >= 0.0)
    assert np.all(d < 1e-300)


def test_tanh_prime_matches_central_differences():
    z = np.random.default_rng(7).uniform(-4, 4, 200)
    eps = 1e-5
    numerical = np.array(
        [(math.tanh(x + eps) - math.tanh(x - eps)) / (2 * eps) for x in z]
    )
    np.testing.assert_allclose(tanh_prime(z), numerical, rtol=1e-8, atol=1e-12)


def test_tanh_prime_closed_form():
    z = np.random.default_rng(8).uniform(-5, 5, 100)
    expected = [1.0 / math.cosh(x) ** 2 for x in z]
    np.testing.assert_allclose(tanh_prime(z), expected, rtol=1e-12, atol=1e-15)
    assert float(tanh_prime(0.0)) == 1.0


@pytest.mark.filterwarnings("error")
def test_tanh_prime_no_warning_at_extremes_and_integers():
    d = tanh_prime(np.array([-1e4, 1e4]))
    np.testing.assert_array_equal(d, [0.0, 0.0])
    assert tanh_prime(np.array([0, 1])).dtype == np.float64


# --- initialize_parameters -----------------------------------------------------------


@pytest.mark.parametrize(("visible", "hidden"), [(1, 1), (64, 25), (3, 7), (10, 1)])
def test_initialize_parameters_length_range_and_zero_biases(visible, hidden):
    theta = initialize_parameters(hidden, visible, rng=0)
    assert theta.shape == (2 * hidden * visible + hidden + visible,)
    assert theta.dtype == np.float64
    r = math.sqrt(6.0 / (hidden + visible + 1))
    n_weights = 2 * hidden * visible
    weights, biases = theta[:n_weights], theta[n_weights:]
    assert np.all(np.abs(weights) <= r)
    np.testing.assert_array_equal(biases, np.zeros(hidden + visible))
    # The biases sit where unpack_parameters puts them (visible != hidden matters).
    _, _, b1, b2 = unpack_parameters(theta, visible, hidden)
    assert not b1.any() and not b2.any()


def test_initialize_parameters_is_uniform_on_the_notes_range():
    hidden, visible = 200, 300
    theta = initialize_parameters(hidden, visible, rng=np.random.default_rng(9))
    r = math.sqrt(6.0 / (hidden + visible + 1))
    weights = theta[: 2 * hidden * visible]  # 120000 draws
    # Uniform(-r, r): mean 0, variance r^2 / 3; the extremes come close to +-r.
    assert abs(weights.mean()) < 0.01 * r
    assert weights.std() == pytest.approx(r / math.sqrt(3.0), rel=0.01)
    assert weights.max() > 0.999 * r
    assert weights.min() < -0.999 * r
    # Each tenth of [-r, r] holds about a tenth of the weights.
    counts, _ = np.histogram(weights, bins=10, range=(-r, r))
    np.testing.assert_allclose(counts / weights.size, 0.1, atol=0.005)


def test_initialize_parameters_same_seed_same_theta():
    a = initialize_parameters(5, 8, rng=123)
    b = initialize_parameters(5, 8, rng=123)
    c = initialize_parameters(5, 8, rng=np.random.default_rng(123))
    d = initialize_parameters(5, 8, rng=np.random.default_rng(123))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(c, d)


def test_initialize_parameters_different_seeds_differ():
    a = initialize_parameters(5, 8, rng=1)
    b = initialize_parameters(5, 8, rng=2)
    assert not np.array_equal(a, b)


def test_initialize_parameters_uses_the_given_generator():
    rng = np.random.default_rng(10)
    first = initialize_parameters(4, 6, rng=rng)
    second = initialize_parameters(4, 6, rng=rng)
    # The generator advances: two draws from one generator differ.
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("bad", [3.0, "3", None, 2.5])
@pytest.mark.parametrize("which", ["hidden", "visible"])
def test_initialize_parameters_rejects_non_int_sizes(bad, which):
    sizes = {"hidden": 3, "visible": 4}
    sizes[which] = bad
    with pytest.raises(TypeError):
        initialize_parameters(sizes["hidden"], sizes["visible"], rng=0)


@pytest.mark.parametrize("bad", [0, -1])
@pytest.mark.parametrize("which", ["hidden", "visible"])
def test_initialize_parameters_rejects_sizes_below_one(bad, which):
    sizes = {"hidden": 3, "visible": 4}
    sizes[which] = bad
    with pytest.raises(ValueError, match=f"{which}_size"):
        initialize_parameters(sizes["hidden"], sizes["visible"], rng=0)


# --- pack / unpack -------------------------------------------------------------------


@pytest.mark.parametrize(("visible", "hidden", "_m"), SHAPES)
def test_unpack_parameters_layout_entry_by_entry(visible, hidden, _m):
    n = 2 * hidden * visible + hidden + visible
    theta = np.arange(n, dtype=np.float64) * 1.5 - 7.0
    W1, W2, b1, b2 = unpack_parameters(theta, visible, hidden)
    rW1, rW2, rb1, rb2 = ref.split_theta(theta, visible, hidden)
    assert W1.shape == (hidden, visible)
    assert W2.shape == (visible, hidden)
    assert b1.shape == (hidden,)
    assert b2.shape == (visible,)
    np.testing.assert_array_equal(W1, rW1)
    np.testing.assert_array_equal(W2, rW2)
    np.testing.assert_array_equal(b1, rb1)
    np.testing.assert_array_equal(b2, rb2)


@pytest.mark.parametrize(("visible", "hidden", "_m"), SHAPES)
def test_pack_parameters_layout_and_round_trip(visible, hidden, _m):
    rng = np.random.default_rng(11)
    W1, W2, b1, b2 = random_parameters(rng, visible, hidden)
    theta = pack_parameters(W1, W2, b1, b2)
    expected = ref.join_theta(W1.tolist(), W2.tolist(), b1.tolist(), b2.tolist())
    np.testing.assert_array_equal(theta, expected)
    for got, want in zip(
        unpack_parameters(theta, visible, hidden), (W1, W2, b1, b2), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_unpack_parameters_returns_views():
    visible, hidden = 4, 3
    theta = np.random.default_rng(12).normal(size=2 * 4 * 3 + 3 + 4)
    parts = unpack_parameters(theta, visible, hidden)
    for part in parts:
        assert np.shares_memory(part, theta)
    theta[0] = 42.0
    theta[-1] = -42.0
    assert parts[0][0, 0] == 42.0
    assert parts[3][-1] == -42.0


@pytest.mark.parametrize("delta", [-1, 1, 5])
def test_unpack_parameters_rejects_wrong_length(delta):
    visible, hidden = 4, 3
    theta = np.zeros(2 * visible * hidden + visible + hidden + delta)
    with pytest.raises(ValueError, match="theta"):
        unpack_parameters(theta, visible, hidden)


@pytest.mark.parametrize("bad", [4.0, "4", None])
@pytest.mark.parametrize("which", ["visible", "hidden"])
def test_unpack_parameters_rejects_non_int_sizes(bad, which):
    sizes = {"visible": 4, "hidden": 3}
    theta = np.zeros(2 * 4 * 3 + 4 + 3)
    sizes[which] = bad
    with pytest.raises(TypeError):
        unpack_parameters(theta, sizes["visible"], sizes["hidden"])


@pytest.mark.parametrize("bad", [0, -2])
@pytest.mark.parametrize("which", ["visible", "hidden"])
def test_unpack_parameters_rejects_sizes_below_one(bad, which):
    sizes = {"visible": 4, "hidden": 3}
    sizes[which] = bad
    theta = np.zeros(5)
    with pytest.raises(ValueError, match=f"{which}_size"):
        unpack_parameters(theta, sizes["visible"], sizes["hidden"])


def test_unpack_parameters_accepts_numpy_integer_sizes():
    theta = np.arange(2 * 4 * 3 + 4 + 3, dtype=np.float64)
    W1, W2, b1, b2 = unpack_parameters(theta, np.int64(4), np.int32(3))
    assert W1.shape == (3, 4) and W2.shape == (4, 3)


def test_pack_parameters_rejects_inconsistent_shapes():
    rng = np.random.default_rng(13)
    W1, W2, b1, b2 = random_parameters(rng, 4, 3)
    with pytest.raises(ValueError):
        pack_parameters(W1, W2.T, b1, b2)
    with pytest.raises(ValueError):
        pack_parameters(W1, W2, b2, b1)


# --- forward propagation -----------------------------------------------------------


@pytest.mark.parametrize(("visible", "hidden", "m"), SHAPES)
def test_forward_propagation_matches_loop_reference(visible, hidden, m):
    rng = np.random.default_rng(100 + visible * 10 + hidden)
    W1, W2, b1, b2 = random_parameters(rng, visible, hidden, scale=2.0)
    data = rng.uniform(0, 1, (visible, m))
    a2, a3 = forward_propagation(W1, b1, W2, b2, data)
    r2, r3 = ref.forward(W1, b1, W2, b2, data)
    assert a2.shape == (hidden, m)
    assert a3.shape == (visible, m)
    np.testing.assert_allclose(a2, r2, rtol=1e-13, atol=0)
    np.testing.assert_allclose(a3, r3, rtol=1e-13, atol=0)


def test_forward_propagation_one_example_per_column():
    rng = np.random.default_rng(14)
    W1, W2, b1, b2 = random_parameters(rng, 5, 3)
    data = rng.uniform(0, 1, (5, 6))
    a2, a3 = forward_propagation(W1, b1, W2, b2, data)
    for n in range(data.shape[1]):
        c2, c3 = forward_propagation(W1, b1, W2, b2, data[:, n : n + 1])
        np.testing.assert_allclose(c2[:, 0], a2[:, n], rtol=1e-14)
        np.testing.assert_allclose(c3[:, 0], a3[:, n], rtol=1e-14)


def test_forward_propagation_zero_weights_closed_form():
    # W = 0: a2 = f(b1), a3 = f(b2) for every example, whatever the data.
    visible, hidden, m = 4, 3, 5
    b1 = np.array([0.0, math.log(3.0), -math.log(3.0)])
    b2 = np.array([0.0, math.log(9.0), 1.0, -2.0])
    data = np.random.default_rng(15).uniform(0, 1, (visible, m))
    a2, a3 = forward_propagation(
        np.zeros((hidden, visible)), b1, np.zeros((visible, hidden)), b2, data
    )
    np.testing.assert_allclose(a2, np.tile([[0.5], [0.75], [0.25]], (1, m)), rtol=1e-15)
    expected3 = [[ref.sigmoid(b)] * m for b in b2]
    np.testing.assert_allclose(a3, expected3, rtol=1e-15)


@pytest.mark.filterwarnings("error")
def test_forward_propagation_no_warning_with_huge_weights():
    rng = np.random.default_rng(16)
    W1, W2, b1, b2 = random_parameters(rng, 6, 4, scale=1e4)
    data = rng.uniform(0, 1, (6, 3))
    a2, a3 = forward_propagation(W1, b1, W2, b2, data)
    assert np.all(np.isfinite(a2)) and np.all(np.isfinite(a3))
    assert np.all((a2 >= 0) & (a2 <= 1)) and np.all((a3 >= 0) & (a3 <= 1))


def test_forward_propagation_does_not_modify_inputs():
    rng = np.random.default_rng(17)
    params = random_parameters(rng, 4, 2)
    data = rng.uniform(0, 1, (4, 3))
    before = [p.copy() for p in params] + [data.copy()]
    W1, W2, b1, b2 = params
    forward_propagation(W1, b1, W2, b2, data)
    for got, want in zip([W1, W2, b1, b2, data], before, strict=True):
        np.testing.assert_array_equal(got, want)


# --- argument orders that differ between functions (issue 13) ----------------------
# forward_propagation takes (W1, b1, W2, b2, data), as the notes write the forward
# pass; pack_parameters takes (W1, W2, b1, b2), the order of theta. Passing one
# function's order to the other is a clear error, never a silently wrong result.


def test_forward_propagations_order_given_to_pack_parameters_is_an_error():
    W1, W2, b1, b2 = unpack_parameters(initialize_parameters(3, 5, rng=0), 5, 3)
    with pytest.raises(ValueError, match=r"W2 \(visible, hidden\)"):
        pack_parameters(W1, b1, W2, b2)


def test_pack_parameters_order_given_to_forward_propagation_is_an_error():
    W1, W2, b1, b2 = unpack_parameters(initialize_parameters(3, 5, rng=0), 5, 3)
    with pytest.raises(ValueError, match=r"b1 \(hidden,\)"):
        forward_propagation(W1, W2, b1, b2, np.zeros((5, 2)))


def test_swapped_sizes_in_unpack_parameters_fail_at_the_forward_pass():
    theta = initialize_parameters(3, 5, rng=0)
    W1, W2, b1, b2 = unpack_parameters(theta, 3, 5)  # sizes swapped: (5, 3) shapes
    with pytest.raises(ValueError):
        forward_propagation(W1, b1, W2, b2, np.zeros((5, 2)))
