"""Unit tests of saelib.adam (chapter 15: the Adam optimizer).

References: closed forms of Adam's first steps (the first step, and every step
under a constant gradient, is ``lr * g / (|g| + eps)``, about ``lr * sign(g)``),
and a second, textbook implementation written here from Kingma and Ba's
Algorithm 1 with explicit bias-corrected moments ``m_hat`` and ``v_hat``, in plain
Python floats.
"""

import math

import numpy as np
import pytest

from saelib.adam import Adam


def textbook_adam(grad_fn, x0, lr, beta1, beta2, eps, n_steps):
    """Algorithm 1 of Kingma & Ba, one float at a time; returns every iterate.

    The two implementations round differently (the bias corrections are folded
    into the step in saelib), so the paths agree to about 1e-10, not bit for bit.
    """
    x = [float(v) for v in x0]
    m = [0.0] * len(x)
    v = [0.0] * len(x)
    path = [list(x)]
    for t in range(1, n_steps + 1):
        g = grad_fn(x)
        for i in range(len(x)):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            x[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        path.append(list(x))
    return path


def test_first_step_is_lr_times_sign_of_gradient():
    x = np.array([1.0, -2.0, 0.5, 3.0])
    g = np.array([4.0, -0.001, 1e3, 0.0])
    opt = Adam({"x": x}, learning_rate=0.1, eps=1e-8)
    opt.step({"x": g})
    expected = np.array([1.0, -2.0, 0.5, 3.0]) - 0.1 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(x[:3], [0.9, -1.9, 0.4], rtol=1e-6)
    assert x[3] == 3.0  # a zero gradient does not move


def test_constant_gradient_moves_lr_per_step():
    # With g constant, m_hat = g and v_hat = g^2 exactly at every step.
    x = np.zeros(3)
    opt = Adam({"x": x}, learning_rate=0.01, betas=(0.8, 0.99), eps=1e-12)
    g = np.array([2.0, -5.0, 0.3])
    for t in range(1, 21):
        opt.step({"x": g})
        np.testing.assert_allclose(x, -0.01 * t * np.sign(g), rtol=1e-9)
    assert opt.t == 20


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)])
def test_matches_textbook_implementation_on_a_quadratic(betas):
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -2.0])

    def grad_fn(x):
        x = np.asarray(x)
        return list(A @ x - b)

    x = np.array([2.0, 2.0])
    opt = Adam({"x": x}, learning_rate=0.05, betas=betas, eps=1e-8)
    # 40 steps: still far from the minimum, where Adam's steps of about lr
    # around it would amplify rounding differences between the two.
    path = textbook_adam(grad_fn, x, 0.05, *betas, 1e-8, 40)
    for t in range(1, 41):
        opt.step({"x": np.asarray(grad_fn(x))})
        np.testing.assert_allclose(x, path[t], rtol=1e-11, atol=1e-12)


def test_converges_to_the_minimum_of_a_quadratic():
    A = np.diag([1.0, 10.0, 100.0])
    b = np.array([1.0, 1.0, 1.0])
    x = np.zeros(3)
    opt = Adam({"x": x}, learning_rate=0.01)
    for _ in range(5000):
        opt.step({"x": A @ x - b})
    np.testing.assert_allclose(x, np.linalg.solve(A, b), atol=1e-3)


def test_several_arrays_and_float32_are_updated_in_place():
    W = np.ones((2, 3), dtype=np.float32)
    c = np.zeros(2, dtype=np.float32)
    opt = Adam({"W": W, "c": c}, learning_rate=0.5)
    opt.step({"W": np.ones((2, 3), np.float32), "c": -np.ones(2, np.float32)})
    assert W.dtype == np.float32 and opt.m["W"].dtype == np.float32
    np.testing.assert_allclose(W, 0.5, rtol=1e-6)
    np.testing.assert_allclose(c, 0.5, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(learning_rate=-1.0), "learning_rate"),
        (dict(betas=(1.0, 0.9)), "betas"),
        (dict(betas=(0.9,)), "betas"),
        (dict(eps=0.0), "eps"),
    ],
)
def test_bad_hyperparameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Adam({"x": np.zeros(2)}, **kwargs)


def test_bad_params_and_grads_raise():
    with pytest.raises(TypeError, match="params"):
        Adam([np.zeros(2)])
    with pytest.raises(TypeError, match="float"):
        Adam({"x": np.zeros(2, dtype=int)})
    opt = Adam({"x": np.zeros(2)})
    with pytest.raises(ValueError, match="keys"):
        opt.step({"y": np.zeros(2)})
    with pytest.raises(ValueError, match="shape"):
        opt.step({"x": np.zeros(3)})
    with pytest.raises(ValueError, match="shape"):
        opt.step({"x": 1.0})  # would broadcast silently


def test_float32_arrays_are_updated_in_float32():
    x = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    opt = Adam({"x": x}, learning_rate=0.1)
    opt.step({"x": np.array([4.0, -0.5, 1e-3], dtype=np.float32)})
    assert x.dtype == np.float32 and opt.m["x"].dtype == np.float32
    np.testing.assert_allclose(x, [0.9, -1.9, 2.9], rtol=1e-6)
