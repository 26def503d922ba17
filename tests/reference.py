"""A second, deliberately naive implementation of the autoencoder, for the tests.

Written from the math of the notes (CS294A "Sparse autoencoder"), not from saelib:
plain Python loops over examples and units, scalars only, ``math.exp`` for the
sigmoid. It is slow on purpose; use it on small shapes only.

Layout of theta (the notes' convention)::

    theta = [W1 row by row (hidden x visible), W2 row by row (visible x hidden),
             b1 (hidden), b2 (visible)]

so ``W1[j][k] = theta[j * visible + k]``,
``W2[i][j] = theta[hidden * visible + i * hidden + j]``,
``b1[j] = theta[2 * hidden * visible + j]`` and
``b2[i] = theta[2 * hidden * visible + hidden + i]``.
"""

import math

import numpy as np


def sigmoid(z):
    """Logistic function of one float, ``1 / (1 + e^-z)``, without overflow."""
    z = float(z)
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def split_theta(theta, visible_size, hidden_size):
    """Split theta into nested lists ``W1, W2, b1, b2`` by explicit indexing."""
    theta = [float(t) for t in theta]
    v, h = visible_size, hidden_size
    assert len(theta) == 2 * h * v + h + v
    W1 = [[theta[j * v + k] for k in range(v)] for j in range(h)]
    W2 = [[theta[h * v + i * h + j] for j in range(h)] for i in range(v)]
    b1 = [theta[2 * h * v + j] for j in range(h)]
    b2 = [theta[2 * h * v + h + i] for i in range(v)]
    return W1, W2, b1, b2


def join_theta(W1, W2, b1, b2):
    """Inverse of :func:`split_theta`: nested lists to a flat float64 array."""
    h, v = len(W1), len(W1[0])
    theta = [0.0] * (2 * h * v + h + v)
    for j in range(h):
        for k in range(v):
            theta[j * v + k] = W1[j][k]
    for i in range(v):
        for j in range(h):
            theta[h * v + i * h + j] = W2[i][j]
    for j in range(h):
        theta[2 * h * v + j] = b1[j]
    for i in range(v):
        theta[2 * h * v + h + i] = b2[i]
    return np.array(theta, dtype=np.float64)


def forward_one(W1, b1, W2, b2, x):
    """Activations ``a2, a3`` (lists) of one example ``x`` (a list of floats)."""
    h, v = len(W1), len(x)
    a2 = []
    for j in range(h):
        z = b1[j]
        for k in range(v):
            z += W1[j][k] * x[k]
        a2.append(sigmoid(z))
    a3 = []
    for i in range(v):
        z = b2[i]
        for j in range(h):
            z += W2[i][j] * a2[j]
        a3.append(sigmoid(z))
    return a2, a3


def forward(W1, b1, W2, b2, data):
    """Activations of every column of ``data``, as arrays ``(hidden, m)``, ``(v, m)``.

    The weights may be numpy arrays or nested lists; the loop only reads scalars.
    """
    data = np.asarray(data, dtype=np.float64)
    W1 = [[float(w) for w in row] for row in np.asarray(W1)]
    W2 = [[float(w) for w in row] for row in np.asarray(W2)]
    b1 = [float(b) for b in np.asarray(b1)]
    b2 = [float(b) for b in np.asarray(b2)]
    columns2, columns3 = [], []
    for n in range(data.shape[1]):
        x = [float(value) for value in data[:, n]]
        a2, a3 = forward_one(W1, b1, W2, b2, x)
        columns2.append(a2)
        columns3.append(a3)
    return np.array(columns2).T, np.array(columns3).T


def autoencoder_cost(theta, visible_size, hidden_size, lambda_, data):
    """Cost and gradient of the (non-sparse) autoencoder: the loops of
    :func:`sparse_cost_and_grad` with ``beta = 0``, where the sparsity term is zero
    and ``rho`` plays no part."""
    return sparse_cost_and_grad(
        theta, visible_size, hidden_size, lambda_, 0.5, 0.0, data
    )


def n_params(visible, hidden):
    """Length of theta for an autoencoder."""
    return 2 * hidden * visible + hidden + visible


def problem(seed, visible, hidden, m, scale=1.0):
    """A random theta (every entry uniform in [-scale, scale]) and data in [0, 1]."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-scale, scale, n_params(visible, hidden))
    data = rng.uniform(0.0, 1.0, (visible, m))
    return theta, data


def numerical_gradient(cost, theta, eps):
    """Central differences ``(J(t + eps e_i) - J(t - eps e_i)) / (2 eps)``."""
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        grad[i] = (cost(theta + step) - cost(theta - step)) / (2.0 * eps)
    return grad


def numerical_gradient_fourth_order(cost, theta, eps):
    """Fourth-order central differences, truncation error O(eps**4).

    ``(J(t - 2 eps e_i) - 8 J(t - eps e_i) + 8 J(t + eps e_i) - J(t + 2 eps e_i))
    / (12 eps)``: with a step of about 1e-3 its truncation and rounding errors are
    both far below those of ``numerical_gradient`` at its best step, for costs that
    are large next to their gradient (saturated units).
    """
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        outer = cost(theta - 2.0 * step) - cost(theta + 2.0 * step)
        inner = cost(theta + step) - cost(theta - step)
        grad[i] = (outer + 8.0 * inner) / (12.0 * eps)
    return grad


def norm(values):
    """Euclidean norm of a flat sequence, summed in a plain loop."""
    total = 0.0
    for value in np.ravel(values):
        total += float(value) ** 2
    return math.sqrt(total)


def kl_divergence(rho, q):
    """``KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))``.

    Bernoulli KL divergence of two floats in (0, 1), with ``math.log``.
    """
    rho, q = float(rho), float(q)
    return rho * math.log(rho / q) + (1.0 - rho) * math.log((1.0 - rho) / (1.0 - q))


RHO_HAT_EPS = 1e-6  # chapter 5's eq-kl-safe: the penalty leaves KL outside [eps, 1-eps]


def safe_kl(rho, q, eps=RHO_HAT_EPS):
    """Chapter 5's penalty ``P_eps(q)`` (eq-kl-safe) and its derivative, by cases.

    ``KL(rho || q)`` for ``eps <= q <= 1 - eps``; below ``eps`` its tangent at ``eps``;
    above ``1 - eps`` the constant ``KL(rho || 1 - eps)`` with derivative 0. Plain
    floats and ``math.log``.
    """
    rho, q = float(rho), float(q)

    def slope(r):
        return -rho / r + (1.0 - rho) / (1.0 - r)

    if q < eps:
        return kl_divergence(rho, eps) + slope(eps) * (q - eps), slope(eps)
    if q > 1.0 - eps:
        return kl_divergence(rho, 1.0 - eps), 0.0
    return kl_divergence(rho, q), slope(q)


def sparse_cost_and_grad(theta, visible, hidden, lambda_, rho, beta, data):
    """Cost and gradient of the sparse autoencoder, by loops over examples and units.

    ``J = (1/m) sum_n 0.5 ||a3(x_n) - x_n||^2 + (lambda_/2)(||W1||^2 + ||W2||^2)
    + beta sum_j P(rho_hat_j)`` with ``rho_hat_j = (1/m) sum_n a2_j(x_n)`` and ``P``
    chapter 5's safe KL penalty (``safe_kl``). Two passes over the examples: the
    first sums the hidden activations into ``rho_hat``; the second backpropagates,
    one example at a time, with the sparsity term inside the product with ``f'``:

    ``delta3_i = (a3_i - x_i) a3_i (1 - a3_i)``,
    ``delta2_j = (sum_i W2_ij delta3_i + beta P'(rho_hat_j)) a2_j (1 - a2_j)``,
    accumulated over the examples, divided by m, plus ``lambda_ * W``
    on the weights only.

    Returns
    -------
    cost : float
    grad : ndarray, shape (len(theta),)
    """
    v, h = visible, hidden
    W1, W2, b1, b2 = split_theta(theta, v, h)
    data = np.asarray(data, dtype=np.float64)
    m = data.shape[1]
    rho, beta, lambda_ = float(rho), float(beta), float(lambda_)
    examples = [[float(value) for value in data[:, n]] for n in range(m)]

    # First pass: average hidden activations.
    rho_hat = [0.0] * h
    for x in examples:
        a2, _ = forward_one(W1, b1, W2, b2, x)
        for j in range(h):
            rho_hat[j] += a2[j]
    penalties = [safe_kl(rho, total / m) for total in rho_hat]
    sparsity = [beta * slope for _, slope in penalties]

    # Second pass: backpropagation, one example at a time.
    gW1 = [[0.0] * v for _ in range(h)]
    gW2 = [[0.0] * h for _ in range(v)]
    gb1 = [0.0] * h
    gb2 = [0.0] * v
    squared_error = 0.0
    for x in examples:
        a2, a3 = forward_one(W1, b1, W2, b2, x)
        for i in range(v):
            squared_error += 0.5 * (a3[i] - x[i]) ** 2
        delta3 = [(a3[i] - x[i]) * a3[i] * (1.0 - a3[i]) for i in range(v)]
        delta2 = []
        for j in range(h):
            back = 0.0
            for i in range(v):
                back += W2[i][j] * delta3[i]
            delta2.append((back + sparsity[j]) * a2[j] * (1.0 - a2[j]))
        for i in range(v):
            gb2[i] += delta3[i]
            for j in range(h):
                gW2[i][j] += delta3[i] * a2[j]
        for j in range(h):
            gb1[j] += delta2[j]
            for k in range(v):
                gW1[j][k] += delta2[j] * x[k]

    decay = 0.0
    for j in range(h):
        for k in range(v):
            decay += W1[j][k] ** 2
            gW1[j][k] = gW1[j][k] / m + lambda_ * W1[j][k]
    for i in range(v):
        for j in range(h):
            decay += W2[i][j] ** 2
            gW2[i][j] = gW2[i][j] / m + lambda_ * W2[i][j]
    gb1 = [g / m for g in gb1]
    gb2 = [g / m for g in gb2]
    penalty = 0.0
    for value, _ in penalties:
        penalty += value
    cost = squared_error / m + 0.5 * lambda_ * decay + beta * penalty
    return cost, join_theta(gW1, gW2, gb1, gb2)
