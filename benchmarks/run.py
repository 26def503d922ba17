"""Benchmark of saelib's sparse autoencoder cost and gradient (see README.md here).

Run from the repository's root::

    .venv/bin/python benchmarks/run.py           # the full benchmark, minutes
    .venv/bin/python benchmarks/run.py --quick   # a smoke test, seconds

It measures, with one and with two BLAS threads:

a. saelib's cost and gradient at three sizes, in float64 and float32: a call of
   ``saelib.fast.SparseAutoencoderObjective`` (the data checked and laid out once,
   as a training run uses it; with as many threads as the row), one call of
   ``saelib.fast.sparse_autoencoder_cost_fast`` (which checks and copies the data
   each time), and chapter 5's ``saelib.sparse_autoencoder_cost``;
b. the floor: the evaluation's five matrix products alone, on preallocated arrays;
c. the same cost and gradient in PyTorch on the CPU, with a hand-written backward
   pass and with autograd, after checking that they agree with saelib;
d. the notes' exercise end to end: 400 iterations of L-BFGS on 10 000 whitened
   patches, saelib (SciPy's L-BFGS-B) against ``torch.optim.LBFGS``.

It prints a table of medians (ms) and ratios to stdout, its progress to stderr, and
writes the same data, with a description of the machine, to
``benchmarks/results/<UTC date-time>.json`` and ``benchmarks/results/latest.json``
(``--quick`` writes to a temporary file instead, so that a smoke test never replaces
the results of a real run).
"""

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
import scipy
import threadpoolctl
from threadpoolctl import threadpool_info, threadpool_limits

import saelib
from saelib.sparse_autoencoder import RHO_HAT_EPS  # chapter 5's eq-kl-safe

try:
    from saelib.fast import SparseAutoencoderObjective, sparse_autoencoder_cost_fast
except ImportError:  # the fast module is optional: time the reference alone
    SparseAutoencoderObjective = sparse_autoencoder_cost_fast = None

try:
    import torch
except ImportError:  # PyTorch is a benchmark-only dependency
    torch = None

TORCH_PIN = "torch==2.13.0"
RESULTS = Path(__file__).resolve().parent / "results"

SIZES = ((64, 25, 10_000), (784, 196, 10_000), (64, 400, 100_000))
DTYPES = (np.float64, np.float32)
THREADS = (1, 2)
LAMBDA, RHO, BETA = 1e-4, 0.01, 3.0
TOLERANCE = {np.float64: 1e-9, np.float32: 1e-3}  # torch vs saelib, relative

REPS = 20  # repetitions per median
SLOW_REPS = 7  # at the largest size only, when one evaluation exceeds SLOW_SECONDS
SLOW_SECONDS = 1.0
BUSY_CORES = 0.3  # warn when other processes keep this many CPUs busy
PAUSE = 0.2  # seconds of rest before each measurement (see _measure)
WARMUP = 0.1  # seconds of untimed calls before each measurement (see _measure)

E2E_ITERATIONS = 400
E2E_BUDGET = 120.0  # seconds: repeat the end-to-end runs 3 times if they fit
E2E_HIDDEN, E2E_PATCH, E2E_PATCHES = 25, 8, 10_000

FAST, CALL, REFERENCE = "saelib objective", "saelib one call", "saelib reference"
FLOOR = "floor"
SAELIB = (FAST, CALL, REFERENCE)
HAND, AUTOGRAD = "torch hand-written", "torch autograd"

_START = time.perf_counter()


def log(message):
    """Print a progress line to stderr, with the seconds elapsed."""
    print(f"[{time.perf_counter() - _START:6.1f} s] {message}", file=sys.stderr)
    sys.stderr.flush()


# ---------------------------------------------------------------- measurement


@contextmanager
def threads(n):
    """Limit numpy's and SciPy's BLAS, and PyTorch, to ``n`` threads."""
    previous = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n, user_api="blas"):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)


def _measure(fn, reps, slow_reps=None):
    """Time ``fn()``: warm-up calls for WARMUP seconds (one at least), then ``reps``.

    When ``slow_reps`` is given and the first warm-up call took more than
    SLOW_SECONDS, only ``slow_reps`` calls are timed. A short pause first lets the
    idle threads of the previous measurement (OpenBLAS's and OpenMP's spin before
    they sleep) stop competing for the cores; the warm-up then wakes this
    measurement's threads and caches, so that every implementation is timed in its
    steady state. The garbage collector is off while timing, as in ``timeit``.
    """
    time.sleep(PAUSE)
    gc.collect()
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    while time.perf_counter() - start < WARMUP:
        fn()
    n = slow_reps if slow_reps is not None and first > SLOW_SECONDS else reps
    times = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    ms = 1e3 * np.array(times)
    return {
        "median_ms": float(np.median(ms)),
        "reps": n,
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
        "times_ms": [round(float(t), 4) for t in ms],
    }


def _relative(a, b):
    """Norm-wise relative difference ``||a - b|| / ||b||``."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


# ---------------------------------------------------------------- the problem


def make_problem(visible, hidden, m):
    """Data uniform in [0.1, 0.9], (visible, m), and theta with non-zero biases."""
    rng = np.random.default_rng(0)
    data = rng.uniform(0.1, 0.9, size=(visible, m))  # C-contiguous
    theta = saelib.initialize_parameters(hidden, visible, rng=0)
    theta[2 * hidden * visible :] = rng.normal(size=hidden + visible)
    return data, theta


def make_floor(visible, hidden, m, dtype):
    """The five matrix products of one evaluation, on preallocated arrays.

    ``W1 X``, ``W2 A2``, ``delta3 A2^T``, ``W2^T delta3``, ``delta2 X^T``: inputs
    and outputs are allocated once, of the evaluation's shapes and dtype, and the
    transposes are views (BLAS reads them transposed, without a copy).
    """
    rng = np.random.default_rng(1)

    def uniform(*shape):
        return rng.uniform(0.1, 0.9, size=shape).astype(dtype)

    X, W1, W2 = uniform(visible, m), uniform(hidden, visible), uniform(visible, hidden)
    A2, delta3, delta2 = uniform(hidden, m), uniform(visible, m), uniform(hidden, m)
    Z2, Z3, D2 = (np.empty_like(a) for a in (A2, delta3, delta2))
    gW1, gW2 = np.empty_like(W1), np.empty_like(W2)

    def five_products():
        np.matmul(W1, X, out=Z2)
        np.matmul(W2, A2, out=Z3)
        np.matmul(delta3, A2.T, out=gW2)
        np.matmul(W2.T, delta3, out=D2)
        np.matmul(delta2, X.T, out=gW1)

    return five_products


# ---------------------------------------------------------------- PyTorch


def _torch_kl_penalty(rho, rho_hat, eps=RHO_HAT_EPS):
    """Chapter 5's eq-kl-safe on a float64 tensor: penalties and their slopes.

    KL(rho || rho_hat) on [eps, 1 - eps], its tangent at eps below, a constant above.
    ``clamp`` passes no gradient outside [eps, 1 - eps], so autograd differentiates
    exactly this function, as saelib's hand-written gradient does.
    """
    inside = rho_hat.clamp(eps, 1 - eps)
    penalty = rho * torch.log(rho / inside) + (1 - rho) * torch.log(
        (1 - rho) / (1 - inside)
    )
    slope = -rho / inside + (1 - rho) / (1 - inside)
    below = rho_hat < eps
    penalty = torch.where(below, penalty + slope * (rho_hat - eps), penalty)
    slope = torch.where(rho_hat > 1 - eps, torch.zeros_like(slope), slope)
    return penalty, slope


def _torch_forward(W1, W2, b1, b2, X, lambda_, rho, beta):
    """Activations, the penalty's slopes, reconstruction error and cost (0-d)."""
    m = X.shape[1]
    a2 = torch.sigmoid(torch.addmm(b1[:, None], W1, X))
    a3 = torch.sigmoid(torch.addmm(b2[:, None], W2, a2))
    # rho_hat and the penalty in float64 in either precision, as in saelib.
    penalty, slope = _torch_kl_penalty(rho, a2.sum(dim=1, dtype=torch.float64) / m)
    error = a3 - X
    cost = (
        0.5 * (error * error).sum() / m
        + 0.5 * lambda_ * ((W1 * W1).sum() + (W2 * W2).sum())
        + beta * penalty.sum()
    )
    return a2, a3, slope, error, cost


def torch_hand_written(params, X, lambda_=LAMBDA, rho=RHO, beta=BETA):
    """Cost and gradients ``(gW1, gW2, gb1, gb2)`` by the notes' backpropagation."""
    W1, W2, b1, b2 = params
    m = X.shape[1]
    with torch.no_grad():
        a2, a3, slope, error, cost = _torch_forward(
            W1, W2, b1, b2, X, lambda_, rho, beta
        )
        delta3 = error * a3 * (1 - a3)
        sparsity = (beta * slope).to(a2.dtype)
        delta2 = (W2.T @ delta3 + sparsity[:, None]) * a2 * (1 - a2)
        gW1 = delta2 @ X.T / m + lambda_ * W1
        gW2 = delta3 @ a2.T / m + lambda_ * W2
        gb1 = delta2.sum(dim=1) / m
        gb2 = delta3.sum(dim=1) / m
    return cost, (gW1, gW2, gb1, gb2)


def torch_autograd(params, X, lambda_=LAMBDA, rho=RHO, beta=BETA):
    """Cost and gradients of the same cost by ``cost.backward()``."""
    for p in params:
        p.grad = None
    cost = _torch_forward(*params, X, lambda_, rho, beta)[-1]
    cost.backward()
    return cost.detach(), tuple(p.grad for p in params)


def torch_parameters(theta, visible, hidden, dtype, requires_grad=False):
    """``W1, W2, b1, b2`` as separate contiguous tensors of ``dtype``."""
    parts = saelib.unpack_parameters(theta.astype(dtype), visible, hidden)
    return [torch.from_numpy(p.copy()).requires_grad_(requires_grad) for p in parts]


def _flat(grads):
    """Torch gradients as saelib's flat theta-ordered numpy vector."""
    return np.concatenate([g.detach().numpy().ravel() for g in grads])


# ---------------------------------------------------------------- (a)-(c)


def check_size(visible, hidden, m, data, theta):
    """Compare every implementation, in both dtypes, with chapter 5's in float64.

    Raises RuntimeError when one differs by more than TOLERANCE; returns the relative
    differences (of the cost, and norm-wise of the gradient) for the JSON file.
    """
    args = (visible, hidden, LAMBDA, RHO, BETA)
    with threads(max(THREADS)):
        cost_ref, grad_ref = saelib.sparse_autoencoder_cost(theta, *args, data)
        checks = []
        for dtype in DTYPES:
            x = data.astype(dtype)
            results = {}
            if sparse_autoencoder_cost_fast is not None:
                for n_threads in THREADS:
                    objective = SparseAutoencoderObjective(*args, x, n_threads)
                    results[f"{FAST}, {n_threads} thr"] = objective(theta)
                results[CALL] = sparse_autoencoder_cost_fast(theta, *args, x)
            if torch is not None:
                X = torch.from_numpy(x)
                params = torch_parameters(theta, visible, hidden, dtype)
                cost, grads = torch_hand_written(params, X)
                results[HAND] = float(cost), _flat(grads)
                params = torch_parameters(theta, visible, hidden, dtype, True)
                cost, grads = torch_autograd(params, X)
                results[AUTOGRAD] = float(cost), _flat(grads)
            for name, (cost, grad) in results.items():
                d_cost = abs(cost - cost_ref) / abs(cost_ref)
                d_grad = _relative(grad, grad_ref)
                tol = TOLERANCE[dtype]
                checks.append(
                    {
                        "size": [visible, hidden, m],
                        "dtype": np.dtype(dtype).name,
                        "implementation": name,
                        "cost_relative_difference": d_cost,
                        "gradient_relative_difference": d_grad,
                        "tolerance": tol,
                    }
                )
                if not (d_cost <= tol and d_grad <= tol):
                    raise RuntimeError(
                        f"{name} disagrees with saelib.sparse_autoencoder_cost at "
                        f"(visible, hidden, m) = {(visible, hidden, m)} in "
                        f"{np.dtype(dtype).name}: relative difference of the cost "
                        f"{d_cost:.3e}, of the gradient {d_grad:.3e} (tolerance "
                        f"{tol:g}); refusing to time a wrong computation"
                    )
    return checks


def time_size(visible, hidden, m, data, theta, dtype, n_threads, reps, slow_reps):
    """Medians of every implementation at one size, dtype and thread count."""
    label = f"({visible}, {hidden}, {m}) {np.dtype(dtype).name} {n_threads} thr"
    args = (visible, hidden, LAMBDA, RHO, BETA)
    x = data.astype(dtype)
    candidates = {}
    if sparse_autoencoder_cost_fast is not None:
        objective = SparseAutoencoderObjective(*args, x, n_threads=n_threads)
        candidates[FAST] = partial(objective, theta)
        candidates[CALL] = partial(sparse_autoencoder_cost_fast, theta, *args, x)
    if dtype == np.float64:
        candidates[REFERENCE] = partial(saelib.sparse_autoencoder_cost, theta, *args, x)
    candidates[FLOOR] = make_floor(visible, hidden, m, dtype)
    if torch is not None:
        X = torch.from_numpy(x)
        params = torch_parameters(theta, visible, hidden, dtype)
        candidates[HAND] = partial(torch_hand_written, params, X)
        params = torch_parameters(theta, visible, hidden, dtype, requires_grad=True)
        candidates[AUTOGRAD] = partial(torch_autograd, params, X)
    timings = {}
    with threads(n_threads):
        for name, fn in candidates.items():
            timings[name] = _measure(fn, reps, slow_reps)
            t = timings[name]
            log(f"{label}  {name:<18s} {t['median_ms']:10.2f} ms ({t['reps']} reps)")
    del candidates
    ratios = {}
    for saelib_name in SAELIB:
        if saelib_name not in timings:
            continue
        ours = timings[saelib_name]["median_ms"]
        ratios[saelib_name] = {
            f"/{other}": ours / timings[other]["median_ms"]
            for other in (FLOOR, HAND, AUTOGRAD)
            if other in timings
        }
    return {
        "size": {"visible": visible, "hidden": hidden, "m": m},
        "dtype": np.dtype(dtype).name,
        "threads": n_threads,
        "timings": timings,
        "ratios": ratios,
    }


# ---------------------------------------------------------------- (d)


def e2e_data():
    """The notes' exercise: 10 000 normalized 8x8 patches of whitened photographs."""
    images = [saelib.whiten_image(im) for im in saelib.load_photographs()]
    patches = saelib.sample_patches(images, E2E_PATCH, E2E_PATCHES, rng=0)
    # normalize_patches keeps sample_patches' column-major layout; make the data
    # C-contiguous, like the synthetic data above, for both libraries alike.
    return np.ascontiguousarray(saelib.normalize_patches(patches))


class _Counted:
    """A cost function that counts its evaluations."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, theta):
        self.calls += 1
        return self.fn(theta)


def e2e_saelib(data, theta0, dtype, n_threads, max_iter):
    """One run of saelib.minimize_lbfgs with the objective (or reference function)."""
    visible = data.shape[0]
    args = (visible, E2E_HIDDEN, LAMBDA, RHO, BETA)
    with threads(n_threads):
        start = time.perf_counter()  # making the objective is part of the run
        if SparseAutoencoderObjective is not None:
            cost = _Counted(
                SparseAutoencoderObjective(*args, data.astype(dtype), n_threads)
            )
        else:
            cost = _Counted(lambda t: saelib.sparse_autoencoder_cost(t, *args, data))
        result = saelib.minimize_lbfgs(
            cost, theta0, max_iter=max_iter, blas_threads=n_threads
        )
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "final_cost": float(result.cost),
        "theta": result.theta,
        "iterations": result.n_iter,
        "evaluations": cost.calls,
        "message": result.message,
    }


def e2e_torch(data, theta0, dtype, n_threads, max_iter):
    """One run of torch.optim.LBFGS with the hand-written backward pass."""
    visible = data.shape[0]
    X = torch.from_numpy(data.astype(dtype))
    params = torch_parameters(theta0, visible, E2E_HIDDEN, dtype, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        params,
        max_iter=max_iter,
        line_search_fn="strong_wolfe",
        history_size=10,
        tolerance_grad=1e-5,
        tolerance_change=2.2e-9,
    )
    calls = 0

    def closure():
        nonlocal calls
        calls += 1
        cost, grads = torch_hand_written(params, X)
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        return cost

    with threads(n_threads):
        start = time.perf_counter()
        optimizer.step(closure)
        seconds = time.perf_counter() - start
        final_cost = float(torch_hand_written(params, X)[0])  # untimed
    state = optimizer.state[params[0]]
    theta = np.concatenate(
        [p.detach().numpy().astype(np.float64).ravel() for p in params]
    )
    return {
        "seconds": seconds,
        "final_cost": final_cost,
        "theta": theta,
        "iterations": int(state.get("n_iter", 0)),
        "evaluations": calls,
        "message": "",
    }


def run_e2e(quick):
    """Time both optimizers on the notes' exercise; 3 runs each if they fit."""
    max_iter = 20 if quick else E2E_ITERATIONS
    log("end to end: loading and whitening the photographs")
    data = e2e_data()
    visible = data.shape[0]
    theta0 = saelib.initialize_parameters(E2E_HIDDEN, visible, rng=0)
    args = (visible, E2E_HIDDEN, LAMBDA, RHO, BETA)
    configs = []
    for n_threads in THREADS:
        for dtype in DTYPES:
            if sparse_autoencoder_cost_fast is not None or dtype == np.float64:
                configs.append(("saelib minimize_lbfgs", e2e_saelib, dtype, n_threads))
            if torch is not None:
                configs.append(("torch.optim.LBFGS", e2e_torch, dtype, n_threads))
    runs = {i: [] for i in range(len(configs))}

    def one_round():
        start = time.perf_counter()
        for i, (name, fn, dtype, n_threads) in enumerate(configs):
            time.sleep(PAUSE)
            gc.collect()
            run = fn(data, theta0, dtype, n_threads, max_iter)
            with threads(max(THREADS)):
                run["final_cost_float64"] = saelib.sparse_autoencoder_cost(
                    run.pop("theta"), *args, data
                )[0]
            runs[i].append(run)
            log(
                f"end to end: {name:<21s} {np.dtype(dtype).name} {n_threads} thr "
                f"{run['seconds']:7.2f} s, cost {run['final_cost']:.6f}, "
                f"{run['iterations']} iterations, {run['evaluations']} evaluations"
            )
        return time.perf_counter() - start

    first = one_round()
    n_runs = 1
    if not quick and 3 * first <= E2E_BUDGET:
        log(f"end to end: one round took {first:.0f} s; two more rounds")
        one_round()
        one_round()
        n_runs = 3
    rows = []
    for i, (name, _, dtype, n_threads) in enumerate(configs):
        seconds = [r["seconds"] for r in runs[i]]
        median = int(np.argsort(seconds)[len(seconds) // 2])
        chosen = runs[i][median]  # the run whose time is the median
        rows.append(
            {
                "optimizer": name,
                "dtype": np.dtype(dtype).name,
                "threads": n_threads,
                "runs": n_runs,
                "seconds_median": float(np.median(seconds)),
                "seconds_all": seconds,
                "final_cost": chosen["final_cost"],
                "final_cost_float64": float(chosen["final_cost_float64"]),
                "iterations": chosen["iterations"],
                "evaluations": chosen["evaluations"],
                "message": chosen["message"],
            }
        )
    return {
        "problem": {
            "visible": visible,
            "hidden": E2E_HIDDEN,
            "patches": E2E_PATCHES,
            "max_iter": max_iter,
        },
        "rows": rows,
    }


# ---------------------------------------------------------------- reporting


def _busy_cores(seconds=1.0):
    """CPUs kept busy by other processes, measured over ``seconds`` of our sleep.

    Read from /proc/stat (Linux); elsewhere the one-minute load average, or None.
    """

    def sample():
        fields = [int(v) for v in Path("/proc/stat").read_text().split()[1:9]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    try:
        busy0, total0 = sample()
        time.sleep(seconds)
        busy1, total1 = sample()
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0]
        except (AttributeError, OSError):
            return None
    return os.cpu_count() * (busy1 - busy0) / max(total1 - total0, 1)


def machine_info():
    """CPU, core count, library versions and the BLAS libraries in use."""
    cpu, cores, physical = None, set(), None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = (s.strip() for s in line.partition(":"))
            if key == "model name" and cpu is None:
                cpu = value
            elif key == "physical id":
                physical = value
            elif key == "core id":
                cores.add((physical, value))
    except OSError:
        pass
    info = {
        "cpu_model": cpu or platform.processor() or "unknown",
        "logical_cpus": os.cpu_count(),
        "usable_cpus": (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        ),
        "physical_cores": len(cores) or None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "threadpoolctl": threadpoolctl.__version__,
        "saelib": saelib.__version__,
        "saelib_fast_available": sparse_autoencoder_cost_fast is not None,
        "torch": torch.__version__ if torch is not None else None,
        "threadpool_info": threadpool_info(),
    }
    if torch is not None:
        info["torch_parallel_info"] = torch.__config__.parallel_info()
    return info


def _ms(timing, standard_reps):
    """A median in ms, starred when it rests on fewer repetitions than usual."""
    if timing is None:
        return "n/a"
    star = "*" if timing["reps"] < standard_reps else ""
    value = timing["median_ms"]
    return f"{value:.3g}{star}" if value < 100 else f"{value:.0f}{star}"


def format_table(results):
    """The plain-text report: cost+gradient medians and ratios, then end to end."""
    reps = results["settings"]["reps"]
    lines = [
        "Sparse autoencoder cost + gradient: median wall time in ms",
        f"(medians of {reps} repetitions; saelib/X > 1 means saelib is slower)",
        "",
    ]
    head = (
        f"{'size (v, h, m)':<18s} {'dtype':<7s} {'thr':>3s}  {'saelib':<9s} "
        f"{'ms':>7s} {'floor':>7s} {'t.hand':>7s} {'t.auto':>7s}  "
        f"{'/floor':>6s} {'/hand':>6s} {'/auto':>6s}"
    )
    lines += [head, "-" * len(head)]
    starred, previous_size = False, None
    for row in results["cost_gradient"]:
        s = row["size"]
        size = f"({s['visible']}, {s['hidden']}, {s['m']})"
        if previous_size is not None and size != previous_size:
            lines.append("")
        previous_size = size
        t = row["timings"]
        names = [n for n in SAELIB if n in t] or [None]
        for k, name in enumerate(names):
            ratio = row["ratios"].get(name, {})
            cells = [_ms(t.get(n), reps) for n in (name, FLOOR, HAND, AUTOGRAD)]
            starred |= any(c.endswith("*") for c in cells)
            r = [ratio.get(f"/{n}") for n in (FLOOR, HAND, AUTOGRAD)]
            r = [f"{v:.2f}" if v is not None else "n/a" for v in r]
            short = {FAST: "objective", CALL: "one call", REFERENCE: "reference"}
            short = short.get(name, "n/a")
            prefix = (
                f"{size:<18s} {row['dtype']:<7s} {row['threads']:>3d}"
                if k == 0
                else " " * 30
            )
            lines.append(
                f"{prefix}  {short:<9s} {cells[0]:>7s} {cells[1]:>7s} "
                f"{cells[2]:>7s} {cells[3]:>7s}  {r[0]:>6s} {r[1]:>6s} {r[2]:>6s}"
            )
    lines.append("")
    lines.append(
        "floor = the five matrix products alone; t.hand / t.auto = PyTorch with a "
        "hand-written backward / autograd"
    )
    if starred:
        lines.append(
            f"* median of {results['settings']['slow_reps']} repetitions only: one "
            f"evaluation takes over {SLOW_SECONDS:g} s at this size"
        )
    if not results["machine"]["torch"]:
        lines.append(
            f"PyTorch is not installed (pip install {TORCH_PIN}): no t. columns"
        )
    e2e = results["end_to_end"]
    if e2e is not None:
        p = e2e["problem"]
        lines += [
            "",
            f"End to end: the notes' exercise ({p['visible']} visible, {p['hidden']} "
            f"hidden, {p['patches']} whitened patches, max_iter={p['max_iter']})",
            "",
        ]
        head = (
            f"{'optimizer':<22s} {'dtype':<7s} {'thr':>3s} {'seconds':>8s} "
            f"{'runs':>4s} {'iter':>5s} {'evals':>5s} {'final cost':>11s} "
            f"{'(float64)':>10s} {'saelib/torch':>12s}"
        )
        lines += [head, "-" * len(head)]
        torch_seconds = {
            (r["dtype"], r["threads"]): r["seconds_median"]
            for r in e2e["rows"]
            if r["optimizer"].startswith("torch")
        }
        for r in e2e["rows"]:
            ratio = ""
            other = torch_seconds.get((r["dtype"], r["threads"]))
            if r["optimizer"].startswith("saelib") and other:
                ratio = f"{r['seconds_median'] / other:.2f}"
            lines.append(
                f"{r['optimizer']:<22s} {r['dtype']:<7s} {r['threads']:>3d} "
                f"{r['seconds_median']:>8.2f} {r['runs']:>4d} {r['iterations']:>5d} "
                f"{r['evaluations']:>5d} {r['final_cost']:>11.6f} "
                f"{r['final_cost_float64']:>10.6f} {ratio:>12s}"
            )
        lines.append(
            "seconds: median over the runs; final cost: in the run's dtype, then "
            "re-evaluated in float64 by saelib"
        )
    m, busy = results["machine"], results["busy_cpus"]
    lines += [
        "",
        f"{m['cpu_model']}, {m['usable_cpus']} usable CPUs; numpy {m['numpy']}, "
        f"scipy {m['scipy']}, torch {m['torch'] or 'not installed'}",
    ]
    if busy["start"] is not None:
        lines.append(
            f"CPUs kept busy by other processes: {busy['start']:.2f} before the "
            f"run, {busy['end']:.2f} after it; the run took "
            f"{results['total_seconds']:.0f} s"
        )
        if max(busy["start"], busy["end"]) > BUSY_CORES:
            lines.append(
                "WARNING: the machine was not idle: other processes slowed these "
                "timings down, the two-thread ones most"
            )
    return "\n".join(lines)


def save(results, quick):
    """Write the JSON results; return the paths written."""
    text = json.dumps(results, indent=1) + "\n"
    if quick:  # a smoke test must not replace the results of a real run
        path = Path(tempfile.gettempdir()) / "saelib-bench-quick.json"
        path.write_text(text)
        return [path]
    RESULTS.mkdir(exist_ok=True)
    stamp = results["created_utc"].replace(":", "").replace("-", "")
    paths = [RESULTS / f"{stamp}.json", RESULTS / "latest.json"]
    for path in paths:
        path.write_text(text)
    return paths


def main(argv=None):
    """Run the benchmark; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: the smallest size, 3 repetitions, 20 L-BFGS iterations",
    )
    parser.add_argument(
        "--no-e2e", action="store_true", help="skip the end-to-end training rows"
    )
    options = parser.parse_args(argv)
    quick = options.quick
    reps = 3 if quick else REPS
    sizes = SIZES[:1] if quick else SIZES
    if torch is None:
        log(f"PyTorch is not installed: pip install {TORCH_PIN} (skipping its rows)")
    if sparse_autoencoder_cost_fast is None:
        log("saelib.fast does not exist: timing saelib.sparse_autoencoder_cost only")
    busy_start = _busy_cores()
    if busy_start is not None and busy_start > BUSY_CORES:
        log(
            f"warning: other processes keep {busy_start:.1f} CPUs busy: they will "
            "slow the timings down, the two-thread ones most"
        )
    results = {
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "quick": quick,
        "machine": machine_info(),
        "settings": {
            "lambda": LAMBDA,
            "sparsity_param": RHO,
            "beta": BETA,
            "reps": reps,
            "slow_reps": SLOW_REPS,
            "slow_seconds": SLOW_SECONDS,
            "threads": list(THREADS),
            "tolerance": {np.dtype(k).name: v for k, v in TOLERANCE.items()},
        },
        "checks": [],
        "cost_gradient": [],
        "end_to_end": None,
    }
    for visible, hidden, m in sizes:
        data, theta = make_problem(visible, hidden, m)
        log(f"({visible}, {hidden}, {m}): checking against saelib in float64")
        results["checks"] += check_size(visible, hidden, m, data, theta)
        largest = (visible, hidden, m) == SIZES[-1]
        for n_threads in THREADS:
            for dtype in DTYPES:
                results["cost_gradient"].append(
                    time_size(
                        visible,
                        hidden,
                        m,
                        data,
                        theta,
                        dtype,
                        n_threads,
                        reps,
                        SLOW_REPS if largest else None,
                    )
                )
        del data
    if not options.no_e2e:
        results["end_to_end"] = run_e2e(quick)
    results["total_seconds"] = time.perf_counter() - _START
    time.sleep(0.5)  # our own BLAS threads spin for a moment after their last call
    results["busy_cpus"] = {"start": busy_start, "end": _busy_cores()}
    print(format_table(results))
    for path in save(results, quick):
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
