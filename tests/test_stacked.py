"""Unit tests of saelib.stacked (chapter 13: stacked autoencoders and fine-tuning).

References are independent of saelib: a per-example, per-unit loop written from the
chapter's equations with ``math.exp`` (``loop_cost_and_grad`` below, which
backpropagates one example at a time), central differences, chapter 11's
``softmax_cost`` for a stack without hidden layers, and chapter 1's
``forward_propagation`` for a single layer.
"""

import math
import warnings

import numpy as np
import pytest
from reference import numerical_gradient, sigmoid

stacked = pytest.importorskip("saelib.stacked")
Layer = stacked.Layer
NetConfig = stacked.NetConfig
pack_stacked = stacked.pack_stacked
unpack_stacked = stacked.unpack_stacked
stack_to_params = stacked.stack_to_params
params_to_stack = stacked.params_to_stack
stack_forward = stacked.stack_forward
stacked_ae_cost = stacked.stacked_ae_cost
stacked_ae_predict = stacked.stacked_ae_predict
stacked_ae_train = stacked.stacked_ae_train

# (input_size, hidden_sizes, num_classes, m): no, one, two and three hidden layers.
SHAPES = [
    (4, (), 3, 5),
    (3, (2,), 2, 1),
    (4, (3, 3), 2, 6),
    (5, (4, 3), 4, 7),
    (2, (3, 2, 3), 3, 4),
    (6, (1,), 2, 3),
]
LAMBDAS = [0.0, 1e-4, 0.3]


def problem(seed, n, hidden, k, m, scale=1.0):
    """Random weights, data and labels for a stack of the given sizes."""
    rng = np.random.default_rng(seed)
    sizes = (n, *hidden)
    stack = [
        Layer(
            rng.normal(scale=scale, size=(out, n_in)), rng.normal(scale=scale, size=out)
        )
        for n_in, out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    W_softmax = rng.normal(scale=scale, size=(k, sizes[-1]))
    theta, config = pack_stacked(W_softmax, stack)
    data = rng.normal(size=(n, m))
    labels = rng.permutation(np.arange(m) % k)
    return theta, config, data, labels


def loop_split(theta, n, hidden, k):
    """Nested lists (W_softmax, [(W, b), ...]) read from theta by explicit indexing."""
    theta = [float(t) for t in theta]
    sizes = (n, *hidden)
    top = sizes[-1]
    W_softmax = [[theta[j * top + r] for r in range(top)] for j in range(k)]
    position = k * top
    layers = []
    for n_in, out in zip(sizes[:-1], sizes[1:], strict=True):
        W = [[theta[position + i * n_in + c] for c in range(n_in)] for i in range(out)]
        position += out * n_in
        b = [theta[position + i] for i in range(out)]
        position += out
        layers.append((W, b))
    assert position == len(theta)
    return W_softmax, layers


def loop_cost_and_grad(theta, n, hidden, k, lambda_, data, labels):
    """eq-ch13-cost and its gradient, one example and one unit at a time."""
    W_softmax, layers = loop_split(theta, n, hidden, k)
    m = len(labels)
    top = len(W_softmax[0])
    cost = 0.0
    g_softmax = [[0.0] * top for _ in range(k)]
    g_layers = [([[0.0] * len(W[0]) for _ in W], [0.0] * len(b)) for W, b in layers]
    for i in range(m):
        a = [[float(data[r][i]) for r in range(n)]]  # a[l] = activations of layer l+1
        for W, b in layers:
            below = a[-1]
            a.append(
                [
                    sigmoid(sum(W[u][c] * below[c] for c in range(len(below))) + b[u])
                    for u in range(len(W))
                ]
            )
        z = [sum(W_softmax[j][r] * a[-1][r] for r in range(top)) for j in range(k)]
        biggest = max(z)
        total = sum(math.exp(zj - biggest) for zj in z)
        p = [math.exp(zj - biggest) / total for zj in z]
        y = int(labels[i])
        cost -= (z[y] - biggest - math.log(total)) / m
        delta = [p[j] - (1.0 if j == y else 0.0) for j in range(k)]
        for j in range(k):
            for r in range(top):
                g_softmax[j][r] += delta[j] * a[-1][r] / m
        W_above = W_softmax
        for layer in range(len(layers) - 1, -1, -1):
            out = a[layer + 1]
            delta = [
                sum(W_above[j][u] * delta[j] for j in range(len(delta)))
                * out[u]
                * (1.0 - out[u])
                for u in range(len(out))
            ]
            gW, gb = g_layers[layer]
            for u in range(len(out)):
                gb[u] += delta[u] / m
                for c in range(len(a[layer])):
                    gW[u][c] += delta[u] * a[layer][c] / m
            W_above = layers[layer][0]
    for j in range(k):
        for r in range(top):
            cost += 0.5 * lambda_ * W_softmax[j][r] ** 2
            g_softmax[j][r] += lambda_ * W_softmax[j][r]
    grad = [g for row in g_softmax for g in row]
    for gW, gb in g_layers:
        grad += [g for row in gW for g in row] + gb
    return cost, np.array(grad)


# --- agreement with the references ------------------------------------------------


@pytest.mark.parametrize("lambda_", LAMBDAS)
@pytest.mark.parametrize(("n", "hidden", "k", "m"), SHAPES)
def test_cost_and_grad_match_loop_reference(n, hidden, k, m, lambda_):
    theta, config, data, labels = problem(n + 10 * k + 100 * m, n, hidden, k, m, 1.5)
    cost, grad = stacked_ae_cost(theta, config, k, lambda_, data, labels)
    ref_cost, ref_grad = loop_cost_and_grad(theta, n, hidden, k, lambda_, data, labels)
    assert isinstance(cost, float)
    assert cost == pytest.approx(ref_cost, rel=1e-12, abs=1e-15)
    assert grad.shape == theta.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize(("n", "hidden", "k", "m"), SHAPES)
def test_gradient_matches_central_differences(n, hidden, k, m):
    theta, config, data, labels = problem(7 * n + k + m, n, hidden, k, m)

    def cost(t):
        return stacked_ae_cost(t, config, k, 0.1, data, labels)[0]

    numerical = numerical_gradient(cost, theta, 1e-5)
    analytical = stacked_ae_cost(theta, config, k, 0.1, data, labels)[1]
    gap = np.linalg.norm(numerical - analytical) / np.linalg.norm(
        numerical + analytical
    )
    assert gap < 1e-8


@pytest.mark.parametrize("lambda_", LAMBDAS)
@pytest.mark.parametrize(("k", "n", "m"), [(2, 1, 1), (3, 4, 5), (10, 6, 12)])
def test_without_hidden_layers_it_is_softmax_regression(k, n, m, lambda_):
    softmax = pytest.importorskip("saelib.softmax")
    theta, config, data, labels = problem(k * n * m, n, (), k, m, 2.0)
    assert config == NetConfig(n, ())
    cost, grad = stacked_ae_cost(theta, config, k, lambda_, data, labels)
    ref_cost, ref_grad = softmax.softmax_cost(theta, k, n, lambda_, data, labels)
    assert cost == pytest.approx(ref_cost, rel=1e-13)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12, atol=1e-15)
    model = softmax.SoftmaxModel(theta.reshape(k, n), n, k)
    np.testing.assert_array_equal(
        stacked_ae_predict(theta, config, k, data), softmax.softmax_predict(model, data)
    )


def test_one_layer_forward_matches_chapter_1():
    network = pytest.importorskip("saelib.network")
    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(3, 5)), rng.normal(size=3)
    W2, b2 = rng.normal(size=(5, 3)), rng.normal(size=5)
    data = rng.uniform(size=(5, 8))
    a1, a2 = stack_forward([Layer(W1, b1)], data)
    assert a1 is not None and np.array_equal(a1, data)
    expected = network.forward_propagation(W1, b1, W2, b2, data)[0]
    np.testing.assert_allclose(a2, expected, rtol=1e-14)


def test_predict_is_the_most_probable_class():
    theta, config, data, labels = problem(5, 4, (3, 3), 4, 20)
    W_softmax, stack = unpack_stacked(theta, config, 4)
    top = data
    for W, b in stack:
        top = 1.0 / (1.0 + np.exp(-(W @ top + b[:, None])))
    predicted = stacked_ae_predict(theta, config, 4, data)
    assert predicted.dtype == np.int64 and predicted.shape == (20,)
    np.testing.assert_array_equal(predicted, np.argmax(W_softmax @ top, axis=0))


def test_float32_data_gives_a_float32_computation():
    theta, config, data, labels = problem(11, 6, (4, 3), 3, 9)
    cost64, grad64 = stacked_ae_cost(theta, config, 3, 1e-3, data, labels)
    cost32, grad32 = stacked_ae_cost(
        theta, config, 3, 1e-3, data.astype(np.float32), labels
    )
    assert grad32.dtype == np.float32
    assert cost32 == pytest.approx(cost64, rel=1e-5)
    np.testing.assert_allclose(grad32, grad64, rtol=1e-3, atol=1e-5)


def test_extreme_weights_give_finite_values_without_warnings():
    theta, config, data, labels = problem(2, 4, (3, 3), 3, 6, scale=1e3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grad = stacked_ae_cost(theta, config, 3, 1e-4, data, labels)
    assert np.isfinite(cost) and np.all(np.isfinite(grad))


def test_inputs_are_not_modified():
    theta, config, data, labels = problem(12, 4, (3, 3), 3, 5)
    copies = theta.copy(), data.copy(), labels.copy()
    stacked_ae_cost(theta, config, 3, 1e-3, data, labels)
    stacked_ae_predict(theta, config, 3, data)
    _, stack = unpack_stacked(theta, config, 3)
    stack_forward(stack, data)
    for before, after in zip(copies, (theta, data, labels), strict=True):
        np.testing.assert_array_equal(before, after)


# --- layout --------------------------------------------------------------------------


def test_pack_unpack_round_trip_and_layout():
    theta, config, _, _ = problem(1, 5, (4, 3), 2, 1)
    assert config == NetConfig(5, (4, 3))
    assert theta.size == 2 * 3 + (4 * 5 + 4) + (3 * 4 + 3)
    W_softmax, stack = unpack_stacked(theta, config, 2)
    np.testing.assert_array_equal(theta[:6], W_softmax.ravel())  # softmax first
    np.testing.assert_array_equal(theta[6:26], stack[0].W.ravel())
    np.testing.assert_array_equal(theta[26:30], stack[0].b)
    again, config_again = pack_stacked(W_softmax, stack)
    np.testing.assert_array_equal(again, theta)
    assert config_again == config
    assert np.shares_memory(W_softmax, theta) and np.shares_memory(stack[1].W, theta)


def test_stack_to_params_round_trip_accepts_pairs():
    rng = np.random.default_rng(4)
    stack = [
        (rng.normal(size=(3, 2)), rng.normal(size=3)),
        (rng.normal(size=(1, 3)), [0.5]),
    ]
    params, config = stack_to_params(stack)
    assert config == NetConfig(2, (3, 1)) and params.shape == (3 * 2 + 3 + 3 + 1,)
    back = params_to_stack(params, config)
    for (W, b), layer in zip(stack, back, strict=True):
        assert isinstance(layer, Layer)
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.b, b)


def test_train_lowers_the_cost_and_keeps_the_layout():
    theta, config, data, labels = problem(9, 4, (3,), 2, 12)
    start = stacked_ae_cost(theta, config, 2, 1e-3, data, labels)[0]
    result = stacked_ae_train(theta, config, 2, 1e-3, data, labels, max_iter=30)
    assert result.theta.shape == theta.shape
    assert result.cost < start
    assert result.cost == pytest.approx(
        stacked_ae_cost(result.theta, config, 2, 1e-3, data, labels)[0]
    )


# --- bad input ----------------------------------------------------------------------


def good():
    theta, config, data, labels = problem(0, 4, (3, 3), 2, 6)
    return dict(
        theta=theta,
        net_config=config,
        num_classes=2,
        lambda_=0.1,
        data=data,
        labels=labels,
    )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            dict(labels=np.array([0, 1, 2, 0, 1, 0])),
            ValueError,
            "labels must lie in 0..1",
        ),
        (dict(labels=np.array([0, 1, -1, 0, 1, 0])), ValueError, "labels must lie"),
        (dict(labels=np.zeros(6)), TypeError, "labels must hold integer"),
        (dict(labels=np.zeros(5, dtype=int)), ValueError, "one label per example"),
        (dict(data=np.zeros((5, 6))), ValueError, r"\(input_size, m\) = \(4, m\)"),
        (dict(data=np.zeros(4)), ValueError, "data must have shape"),
        (dict(data=np.full((4, 6), np.nan)), ValueError, "data contains .*NaN"),
        (dict(lambda_=-1.0), ValueError, "lambda_"),
        (dict(num_classes=1), ValueError, "num_classes"),
        (dict(num_classes=2.0), TypeError, "num_classes"),
        (dict(net_config=(4, 3, 3)), TypeError, "net_config"),
        (dict(net_config=NetConfig(4, (3, "3"))), TypeError, "hidden_sizes"),
        (dict(net_config=NetConfig(4, (3, 0))), ValueError, "hidden_sizes"),
        (dict(net_config=NetConfig(4, (3, 2))), ValueError, "theta must be"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(change, error, message):
    arguments = good() | change
    with pytest.raises(error, match=message):
        stacked_ae_cost(**arguments)


def test_bad_theta_is_refused():
    arguments = good()
    theta = arguments["theta"]
    with pytest.raises(ValueError, match=r"theta must be a 1-D array .* = 33 for"):
        stacked_ae_cost(**(arguments | dict(theta=theta[:-1])))
    with pytest.raises(ValueError, match="theta contains .*NaN"):
        stacked_ae_cost(
            **(arguments | dict(theta=np.where(np.arange(33) == 3, np.nan, theta)))
        )
    with pytest.raises(ValueError, match="theta contains .*NaN"):
        stacked_ae_predict(
            np.full(33, np.inf), arguments["net_config"], 2, arguments["data"]
        )
    with pytest.raises(ValueError, match="labels must lie"):
        bad = arguments | dict(labels=np.full(6, 7))
        stacked_ae_train(bad.pop("theta"), **bad)


def test_bad_stacks_are_refused():
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=3)
    with pytest.raises(ValueError, match="at least one layer"):
        stack_to_params([])
    with pytest.raises(ValueError, match="columns but the layer below has 3"):
        stack_to_params([(W1, b1), (rng.normal(size=(2, 4)), np.zeros(2))])
    with pytest.raises(ValueError, match=r"b of shape \(out,\)"):
        stack_to_params([(W1, np.zeros(4))])
    with pytest.raises(ValueError, match="NaN or inf"):
        stack_to_params([(np.full((3, 4), np.nan), b1)])
    with pytest.raises(TypeError, match="pair"):
        stack_to_params([W1])
    with pytest.raises(ValueError, match="top layer has 3 outputs"):
        pack_stacked(np.zeros((2, 4)), [(W1, b1)])
    with pytest.raises(ValueError, match="params must be a 1-D array of length 15"):
        params_to_stack(np.zeros(14), NetConfig(4, (3,)))
    with pytest.raises(ValueError, match="data must have shape"):
        stack_forward([(W1, b1)], np.zeros((3, 2)))


# --- reliability (issue 12) ------------------------------------------------------


def test_stacked_functions_refuse_complex_theta_data_and_layers():
    arguments = good()
    theta, config = arguments["theta"], arguments["net_config"]
    with pytest.raises(TypeError, match="theta must hold real numbers"):
        stacked_ae_cost(**(arguments | dict(theta=theta + 0j)))
    with pytest.raises(TypeError, match="data must hold real numbers"):
        stacked_ae_cost(**(arguments | dict(data=arguments["data"] + 0j)))
    with pytest.raises(TypeError, match="theta must hold real numbers"):
        stacked_ae_predict(theta + 0j, config, 2, arguments["data"])
    with pytest.raises(TypeError, match="data must hold real numbers"):
        stacked_ae_predict(theta, config, 2, arguments["data"] + 0j)
    W1, b1 = np.ones((3, 4)), np.zeros(3)
    with pytest.raises(TypeError, match=r"stack\[0\].W must hold real numbers"):
        stack_to_params([(W1 + 0j, b1)])
    with pytest.raises(TypeError, match="params must hold real numbers"):
        params_to_stack(np.zeros(15) + 0j, NetConfig(4, (3,)))
    with pytest.raises(TypeError, match="W_softmax must hold real numbers"):
        pack_stacked(np.zeros((2, 3)) + 0j, [(W1, b1)])


def test_stacked_ae_predict_refuses_theta_of_strings_with_a_clear_message():
    arguments = good()
    with pytest.raises(TypeError, match="theta must hold real numbers"):
        stacked_ae_predict(
            np.array(["a"] * 33), arguments["net_config"], 2, arguments["data"]
        )


@pytest.mark.parametrize("lambda_", ["0.1", True, None])
def test_stacked_ae_cost_refuses_lambda_that_is_not_a_number(lambda_):
    with pytest.raises(TypeError, match="lambda_ must be a real number"):
        stacked_ae_cost(**(good() | dict(lambda_=lambda_)))


@pytest.mark.parametrize("num_classes", [True, "2"])
def test_stacked_functions_refuse_num_classes_that_is_not_an_int(num_classes):
    arguments = good()
    with pytest.raises(TypeError, match="num_classes must be an int"):
        stacked_ae_predict(
            arguments["theta"], arguments["net_config"], num_classes, arguments["data"]
        )
