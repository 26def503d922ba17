"""Unit tests of saelib.linear_decoder (chapter 14: linear decoders).

References are independent of saelib: a per-example loop implementation of the
linear-decoder cost written here from the chapter's equations (``math.exp``, plain
Python scalars), central differences, and chapter 5's ``sparse_autoencoder_cost`` for
the terms the output layer does not touch (weight decay and sparsity penalty).
"""

import math

import numpy as np
import pytest
from reference import (
    RHO_HAT_EPS,
    numerical_gradient,
    numerical_gradient_fourth_order,
    safe_kl,
    split_theta,
)

from saelib.sparse_autoencoder import sparse_autoencoder_cost

linear = pytest.importorskip("saelib.linear_decoder")
sparse_autoencoder_linear_cost = linear.sparse_autoencoder_linear_cost
display_color_network = linear.display_color_network
color_energy_fractions = linear.color_energy_fractions
sample_color_patches = linear.sample_color_patches
load_color_photographs = linear.load_color_photographs

SHAPES = [(1, 1, 1), (3, 1, 4), (4, 2, 1), (5, 3, 7), (2, 6, 3)]
PENALTIES = [(0.0, 0.1, 3.0), (1e-3, 0.05, 0.0), (0.3, 0.5, 1.0), (3e-3, 0.035, 5.0)]


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def loop_reference(theta, v, h, lambda_, rho, beta, data):
    """Linear-decoder cost and gradient, one example and one unit at a time."""
    W1, W2, b1, b2 = split_theta(theta, v, h)
    data = np.asarray(data, dtype=np.float64)
    m = data.shape[1]
    xs = [[float(t) for t in data[:, n]] for n in range(m)]

    def hidden(x):
        return [
            _sigmoid(b1[j] + sum(W1[j][k] * x[k] for k in range(v))) for j in range(h)
        ]

    rho_hat = [0.0] * h
    for x in xs:
        for j, a in enumerate(hidden(x)):
            rho_hat[j] += a / m
    penalties = [safe_kl(rho, q) for q in rho_hat]  # chapter 5's eq-kl-safe
    sparsity = [beta * slope for _, slope in penalties]
    gW1 = [[0.0] * v for _ in range(h)]
    gW2 = [[0.0] * h for _ in range(v)]
    gb1, gb2 = [0.0] * h, [0.0] * v
    cost = 0.0
    for x in xs:
        a2 = hidden(x)
        a3 = [b2[i] + sum(W2[i][j] * a2[j] for j in range(h)) for i in range(v)]
        d3 = [a3[i] - x[i] for i in range(v)]  # no f' factor
        cost += 0.5 * sum(d * d for d in d3) / m
        d2 = [
            (sum(W2[i][j] * d3[i] for i in range(v)) + sparsity[j])
            * a2[j]
            * (1 - a2[j])
            for j in range(h)
        ]
        for i in range(v):
            gb2[i] += d3[i] / m
            for j in range(h):
                gW2[i][j] += d3[i] * a2[j] / m
        for j in range(h):
            gb1[j] += d2[j] / m
            for k in range(v):
                gW1[j][k] += d2[j] * x[k] / m
    decay = sum(w * w for row in W1 for w in row) + sum(
        w * w for row in W2 for w in row
    )
    cost += 0.5 * lambda_ * decay
    cost += beta * sum(value for value, _ in penalties)
    for j in range(h):
        for k in range(v):
            gW1[j][k] += lambda_ * W1[j][k]
    for i in range(v):
        for j in range(h):
            gW2[i][j] += lambda_ * W2[i][j]
    grad = [g for row in gW1 for g in row] + [g for row in gW2 for g in row] + gb1 + gb2
    return cost, np.array(grad)


def problem(seed, v, h, m, data_scale=2.0):
    """Random theta and Gaussian data, deliberately outside [0, 1]."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-1, 1, 2 * h * v + h + v)
    data = rng.normal(scale=data_scale, size=(v, m))
    return theta, data


@pytest.mark.parametrize(("lambda_", "rho", "beta"), PENALTIES)
@pytest.mark.parametrize(("v", "h", "m"), SHAPES)
def test_matches_loop_reference(v, h, m, lambda_, rho, beta):
    theta, data = problem(100 * v + 10 * h + m, v, h, m)
    cost, grad = sparse_autoencoder_linear_cost(theta, v, h, lambda_, rho, beta, data)
    ref_cost, ref_grad = loop_reference(theta, v, h, lambda_, rho, beta, data)
    assert isinstance(cost, float)
    assert cost == pytest.approx(ref_cost, rel=1e-10)
    assert grad.shape == theta.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(("v", "h", "m"), [(4, 3, 5), (6, 4, 10)])
def test_matches_finite_differences(v, h, m):
    theta, data = problem(7, v, h, m)
    theta *= 0.5
    args = (v, h, 3e-3, 0.1, 3.0)
    _, grad = sparse_autoencoder_linear_cost(theta, *args, data)
    numerical = numerical_gradient(
        lambda t: sparse_autoencoder_linear_cost(t, *args, data)[0], theta, 1e-5
    )
    diff = np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical)
    assert diff < 1e-8


def _rho_hat(theta, v, h, data):
    """Average hidden activations in float64, computed here with numpy."""
    W1, b1 = theta[: h * v].reshape(h, v), theta[2 * h * v : 2 * h * v + h]
    return (1 / (1 + np.exp(-(W1 @ data + b1[:, None])))).mean(axis=1)


@pytest.mark.parametrize(
    "biases", [[20.0, -20.0, 0.2], [30.0, -30.0, 0.2], [30.0, 30.0, 30.0]]
)
def test_matches_finite_differences_with_saturated_hidden_units(biases):
    # rho_hat in the outer pieces of chapter 5's eq-kl-safe, not exactly 0 or 1:
    # the gradient must be the gradient of the cost returned. Fourth-order
    # differences, since the saturated penalties make the cost large.
    v, h, m = 4, 3, 5
    theta, data = problem(7, v, h, m)
    theta *= 0.5
    theta[2 * h * v : 2 * h * v + h] = biases
    rho_hat = _rho_hat(theta, v, h, data)
    saturated = np.abs(biases) >= 20
    assert np.all(
        (rho_hat[saturated] < RHO_HAT_EPS) | (rho_hat[saturated] > 1 - RHO_HAT_EPS)
    )
    args = (v, h, 3e-3, 0.1, 3.0)
    _, grad = sparse_autoencoder_linear_cost(theta, *args, data)
    numerical = numerical_gradient_fourth_order(
        lambda t: sparse_autoencoder_linear_cost(t, *args, data)[0], theta, 3e-3
    )
    diff = np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical)
    assert diff < 1e-9


@pytest.mark.parametrize("biases", [[800.0, -800.0, 0.2], [30.0, -30.0, -30.0]])
def test_matches_loop_reference_with_saturated_hidden_units(biases):
    v, h, m = 4, 3, 6
    theta, data = problem(5, v, h, m)
    theta[2 * h * v : 2 * h * v + h] = biases
    args = (v, h, 1e-3, 0.05, 3.0)
    cost, grad = sparse_autoencoder_linear_cost(theta, *args, data)
    ref_cost, ref_grad = loop_reference(theta, *args, data)
    assert cost == pytest.approx(ref_cost, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("depth", [20.0, 30.0])
def test_float32_cost_equals_the_float64_loop_reference_at_saturated_units(depth):
    # Units at b1 = +depth have rho_hat = 1 (to float32's spacing below 1) in float32
    # and 1 - 1e-9 or closer in float64: the penalty must not depend on the
    # precision, so float32 agrees with the float64 reference to float32 rounding.
    v, h, m = 12, 6, 40
    theta, data = problem(13, v, h, m)
    theta *= 0.3
    theta[2 * h * v : 2 * h * v + 4] = [depth, -depth, depth, -depth]
    rho_hat = _rho_hat(theta, v, h, data)[:4]
    assert np.all(rho_hat[::2] > 1 - RHO_HAT_EPS) and np.all(rho_hat[1::2] < 1e-8)
    args = (v, h, 3e-3, 0.035, 5.0)
    cost32, grad32 = sparse_autoencoder_linear_cost(
        theta, *args, data.astype(np.float32)
    )
    ref_cost, ref_grad = loop_reference(theta, *args, data)
    assert grad32.dtype == np.float32
    assert cost32 == pytest.approx(ref_cost, rel=1e-6)
    gap = np.linalg.norm(grad32 - ref_grad) / np.linalg.norm(ref_grad)
    assert gap < 1e-5


def test_shares_decay_and_sparsity_terms_with_sigmoid_decoder():
    theta, _ = problem(3, 5, 3, 8)
    data = np.random.default_rng(4).uniform(size=(5, 8))  # valid for both
    diffs = []
    for fun in (sparse_autoencoder_cost, sparse_autoencoder_linear_cost):
        c0, g0 = fun(theta, 5, 3, 0.0, 0.2, 0.0, data)
        c1, g1 = fun(theta, 5, 3, 0.01, 0.2, 2.0, data)
        diffs.append((c1 - c0, g1 - g0))
    assert diffs[0][0] == pytest.approx(diffs[1][0], rel=1e-12)
    np.testing.assert_allclose(diffs[0][1], diffs[1][1], rtol=1e-9, atol=1e-13)


def test_many_blocks_match_one_vectorized_pass():
    # m spans several column blocks (at most 4096 columns each).
    v, h, m = 5, 3, 9000
    theta, data = problem(8, v, h, m)
    lambda_, rho, beta = 1e-3, 0.1, 2.0
    cost, grad = sparse_autoencoder_linear_cost(theta, v, h, lambda_, rho, beta, data)
    W1 = theta[: h * v].reshape(h, v)
    W2 = theta[h * v : 2 * h * v].reshape(v, h)
    b1, b2 = theta[2 * h * v : 2 * h * v + h], theta[2 * h * v + h :]
    a2 = 1 / (1 + np.exp(-(W1 @ data + b1[:, None])))
    d3 = W2 @ a2 + b2[:, None] - data
    q = a2.mean(axis=1)
    d2 = (
        (W2.T @ d3 + (beta * (-rho / q + (1 - rho) / (1 - q)))[:, None]) * a2 * (1 - a2)
    )
    kl = rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))
    want_cost = 0.5 * np.sum(d3**2) / m + beta * kl.sum()
    want_cost += 0.5 * lambda_ * (np.sum(W1**2) + np.sum(W2**2))
    want = np.concatenate(
        [
            (d2 @ data.T / m + lambda_ * W1).ravel(),
            (d3 @ a2.T / m + lambda_ * W2).ravel(),
            d2.mean(axis=1),
            d3.mean(axis=1),
        ]
    )
    assert cost == pytest.approx(want_cost, rel=1e-12)
    np.testing.assert_allclose(grad, want, rtol=1e-9, atol=1e-12)


def test_zero_output_weights_reconstruct_the_bias():
    v, h, m = 4, 3, 6
    theta, data = problem(5, v, h, m)
    theta[h * v : 2 * h * v] = 0.0  # W2 = 0: a3 = b2 for every example
    b2 = theta[-v:]
    cost, grad = sparse_autoencoder_linear_cost(theta, v, h, 0.0, 0.5, 0.0, data)
    assert cost == pytest.approx(0.5 * np.sum((b2[:, None] - data) ** 2) / m, rel=1e-12)
    np.testing.assert_allclose(
        grad[-v:], np.mean(b2[:, None] - data, axis=1), rtol=1e-12
    )


def test_float32_path():
    theta, data = problem(11, 20, 10, 50)
    theta *= 0.3
    args = (20, 10, 3e-3, 0.035, 5.0)
    cost64, grad64 = sparse_autoencoder_linear_cost(theta, *args, data)
    cost32, grad32 = sparse_autoencoder_linear_cost(
        theta, *args, data.astype(np.float32)
    )
    assert grad32.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(
        grad32, grad64, rtol=1e-3, atol=1e-5 * np.abs(grad64).max()
    )
    # integer data are computed in float64
    _, grad_int = sparse_autoencoder_linear_cost(
        theta, *args, np.rint(data).astype(int)
    )
    assert grad_int.dtype == np.float64


def test_does_not_modify_inputs():
    theta, data = problem(2, 4, 3, 5)
    theta0, data0 = theta.copy(), data.copy()
    sparse_autoencoder_linear_cost(theta, 4, 3, 1e-3, 0.1, 3.0, data)
    assert np.array_equal(theta, theta0) and np.array_equal(data, data0)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (dict(theta=np.zeros(5)), ValueError, "theta"),
        (dict(data=np.zeros((3, 5))), ValueError, "data"),
        (dict(data=np.full((4, 5), np.nan)), ValueError, "NaN"),
        (dict(data=np.full((4, 5), np.inf)), ValueError, "NaN or inf"),
        (dict(lambda_=-1.0), ValueError, "lambda_"),
        (dict(beta=-1.0), ValueError, "beta"),
        (dict(sparsity_param=1.0), ValueError, "sparsity_param"),
        (dict(visible_size=4.0), TypeError, "visible_size"),
    ],
)
def test_errors(change, error, match):
    theta, data = problem(1, 4, 3, 5)
    args = dict(
        theta=theta,
        visible_size=4,
        hidden_size=3,
        lambda_=0.0,
        sparsity_param=0.1,
        beta=1.0,
        data=data,
    )
    args.update(change)
    with pytest.raises(error, match=match):
        sparse_autoencoder_linear_cost(**args)


def test_data_outside_unit_interval_is_accepted():
    theta, data = problem(1, 4, 3, 5, data_scale=100.0)
    cost, grad = sparse_autoencoder_linear_cost(theta, 4, 3, 0.0, 0.1, 1.0, data)
    assert np.isfinite(cost) and np.all(np.isfinite(grad))


# --- colour patches, display and measure --------------------------------------------


def test_sample_color_patches_layout():
    r, s, c = np.meshgrid(np.arange(10), np.arange(13), np.arange(3), indexing="ij")
    image = 1000.0 * c + 100 * r + s
    patches = sample_color_patches([image], 4, 20, rng=0)
    assert patches.shape == (48, 20)
    i, j = np.meshgrid(np.arange(4), np.arange(4), indexing="ij")
    for patch in patches.T:
        r0, s0 = divmod(int(patch[0]), 100)
        want = np.ravel([1000 * ch + 100 * (r0 + i) + s0 + j for ch in range(3)])
        assert np.array_equal(patch, want)
    again = sample_color_patches([image], 4, 20, rng=0)
    assert np.array_equal(patches, again)


@pytest.mark.parametrize(
    ("images", "size", "n", "error"),
    [
        ([np.zeros((5, 5))], 2, 3, ValueError),
        ([np.zeros((5, 5, 3))], 6, 3, ValueError),
        ([np.zeros((5, 5, 3))], 2, 0, ValueError),
        ([np.zeros((5, 5, 3))], 2.0, 3, TypeError),
        ([], 2, 3, ValueError),
        (np.zeros((5, 5, 3)), 2, 3, ValueError),
        ([np.full((5, 5, 3), np.nan)], 2, 3, ValueError),
    ],
)
def test_sample_color_patches_errors(images, size, n, error):
    with pytest.raises(error):
        sample_color_patches(images, size, n)


def test_load_color_photographs():
    images = load_color_photographs(("chelsea", "china"), downsample_factor=3)
    assert [im.shape for im in images] == [(100, 150, 3), (142, 213, 3)]
    assert all(0 <= im.min() and im.max() <= 1 for im in images)
    with pytest.raises(ValueError, match="unknown"):
        load_color_photographs("camera")
    with pytest.raises(ValueError, match="downsample_factor"):
        load_color_photographs("chelsea", downsample_factor=0)
    with pytest.raises(TypeError, match="downsample_factor"):
        load_color_photographs("chelsea", downsample_factor=1.5)


def test_display_color_network():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3 * 25, 7))
    A[:, 3] = 2.0  # a constant filter is drawn as zero (grey)
    tiles = display_color_network(A, n_cols=3, padding=1)
    assert tiles.shape == (3 * 6 + 1, 3 * 6 + 1, 3)
    assert tiles.min() >= 0 and tiles.max() <= 1
    w = A[:, 0] - A[:, 0].mean()
    want = 0.5 + 0.5 * w.reshape(3, 5, 5).transpose(1, 2, 0) / np.abs(w).max()
    np.testing.assert_allclose(tiles[1:6, 1:6], want)
    np.testing.assert_allclose(tiles[7:12, 1:6], 0.5)  # filter 3: row 1, column 0
    assert np.all(tiles[0] == 0) and np.all(tiles[:, 6] == 0)
    with pytest.raises(ValueError):
        display_color_network(np.zeros((50, 2)))
    with pytest.raises(ValueError):
        display_color_network(A, n_cols=0)


def test_color_energy_fractions():
    edge = np.tile([-1.0, 1.0], 8)
    filters = np.stack(
        [np.concatenate([edge, edge, edge]), np.concatenate([edge, -edge, 0 * edge])],
        axis=1,
    )
    fractions = color_energy_fractions(filters)
    np.testing.assert_allclose(fractions, [[1, 0, 0], [0, 1, 0]], atol=1e-12)
    random = color_energy_fractions(np.random.default_rng(0).normal(size=(48, 50)))
    np.testing.assert_allclose(random.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        linear.OPPONENT_BASIS @ linear.OPPONENT_BASIS.T, np.eye(3), atol=1e-15
    )
    with pytest.raises(ValueError, match="nonzero"):
        color_energy_fractions(np.zeros((12, 2)))
    with pytest.raises(ValueError, match="3 square channels"):
        color_energy_fractions(np.ones((15, 2)))
    with pytest.raises(ValueError, match="NaN"):
        color_energy_fractions(np.full((12, 2), np.nan))


@pytest.mark.parametrize(
    ("rgb", "want"),
    [
        ((1.0, 1.0, 1.0), (1, 0, 0)),  # grey
        ((-1.0, 2.0, -1.0), (0, 3 / 4, 1 / 4)),  # green against magenta
        ((0.0, 1.0, -1.0), (0, 1 / 4, 3 / 4)),  # lime against violet
        ((1.0, 0.0, 0.0), (1 / 3, 1 / 2, 1 / 6)),  # red
    ],
)
def test_color_energy_fractions_closed_form(rgb, want):
    # a uniform filter of one colour: the fractions are the squared projections of
    # the unit colour vector on the three axes written out by hand
    rgb = np.asarray(rgb)
    projections = np.array(
        [
            rgb.sum() / math.sqrt(3),
            (rgb[0] - rgb[1]) / math.sqrt(2),
            (2 * rgb[2] - rgb[0] - rgb[1]) / math.sqrt(6),
        ]
    )
    np.testing.assert_allclose(projections**2 / np.sum(rgb**2), want, atol=1e-12)
    scale = np.random.default_rng(0).uniform(0.5, 2, size=9)  # per-pixel intensity
    uniform = np.concatenate([c * scale for c in rgb])[:, None]
    np.testing.assert_allclose(color_energy_fractions(uniform)[0], want, atol=1e-12)
