"""Unit tests of saelib.interpret (chapter 18: splicing, loss recovered, probing).

References: ``sklearn.metrics.roc_auc_score`` for the AUROC (ties included), loops
over examples for splicing and the logit effects, closed forms for loss recovered
and the KL divergence, and central differences for the classifier's gradient.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

import saelib  # noqa: E402
from saelib import check_gradient  # noqa: E402
from saelib.interpret import (  # noqa: E402
    ablate_latents,
    best_units,
    cross_entropy,
    evaluate_logits,
    feature_dashboard,
    latent_auroc,
    logit_effects,
    loss_recovered,
    mlp_head,
    mlp_hidden,
    mlp_init,
    mlp_loss,
    mlp_train,
    output_kl,
    probe_scores,
    splice,
    steer,
    top_activating,
)

KEYS = ("W1", "b1", "W2", "b2")


def test_public_api():
    for name in (
        "loss_recovered",
        "latent_auroc",
        "splice",
        "output_kl",
        "top_activating",
        "feature_dashboard",
        "logit_effects",
        "ablate_latents",
        "steer",
    ):
        assert name in saelib.__all__ and callable(getattr(saelib, name))


# --- loss recovered ---------------------------------------------------------


@pytest.mark.parametrize(
    ("clean", "spliced", "ablated", "expected"),
    [
        (0.2, 0.2, 2.0, 1.0),
        (0.2, 2.0, 2.0, 0.0),
        (0.2, 0.65, 2.0, 0.75),
        (0.2, 0.1, 2.2, 1.05),
        (0.2, 2.7, 2.2, -0.25),
        (1, 2, 3, 0.5),
    ],
)
def test_loss_recovered_closed_form(clean, spliced, ablated, expected):
    result = loss_recovered(clean, spliced, ablated)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, abs=1e-12)
    assert result == pytest.approx((ablated - spliced) / (ablated - clean))


def test_loss_recovered_refuses_wrong_order_and_bad_values():
    with pytest.raises(ValueError, match="ablated_loss .* must exceed clean_loss"):
        loss_recovered(2.2, 0.5, 0.2)
    with pytest.raises(ValueError, match="must exceed"):
        loss_recovered(1.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="spliced_loss"):
        loss_recovered(0.1, np.nan, 2.0)
    with pytest.raises(TypeError, match="clean_loss"):
        loss_recovered("0.1", 0.5, 2.0)
    with pytest.raises(TypeError, match="ablated_loss"):
        loss_recovered(0.1, 0.5, np.array([2.0]))


# --- AUROC --------------------------------------------------------------------


def test_latent_auroc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    codes = np.maximum(rng.integers(-3, 4, size=(200, 12)), 0).astype(float)
    codes[:, 0] = 0.0  # a dead latent: all ties
    codes[:, 1] = rng.normal(size=200)  # no ties
    labels = rng.random(200) < 0.3
    expected = [roc_auc_score(labels, codes[:, j]) for j in range(12)]
    np.testing.assert_allclose(latent_auroc(codes, labels), expected, atol=1e-12)
    assert latent_auroc(codes, labels)[0] == 0.5


def test_latent_auroc_closed_forms():
    labels = np.arange(100) < 40
    perfect = labels.astype(float)[:, None]
    assert latent_auroc(perfect, labels)[0] == 1.0
    assert latent_auroc(-perfect, labels)[0] == 0.0
    covering = (np.arange(100) < 10).astype(float)[:, None]  # fires on r = 1/4
    assert latent_auroc(covering, labels)[0] == pytest.approx((1 + 0.25) / 2)


def test_latent_auroc_refuses_bad_labels():
    codes = np.ones((5, 3))
    with pytest.raises(TypeError, match="labels must be a boolean"):
        latent_auroc(codes, np.array([0, 1, 0, 1, 1]))
    with pytest.raises(ValueError, match="both classes"):
        latent_auroc(codes, np.zeros(5, dtype=bool))
    with pytest.raises(ValueError, match="both classes"):
        latent_auroc(codes, np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        latent_auroc(codes, np.array([True, False]))
    with pytest.raises(ValueError, match="codes must be 2-D"):
        latent_auroc(np.ones(5), np.array([True, False, True, False, True]))
    with pytest.raises(ValueError, match="codes contains"):
        latent_auroc(np.full((2, 1), np.nan), np.array([True, False]))


# --- the classifier -------------------------------------------------------------


def _flat(params):
    return np.concatenate([params[k].ravel() for k in KEYS])


def test_mlp_gradient_against_central_differences():
    rng = np.random.default_rng(1)
    params = mlp_init(6, 5, 3, rng)
    X, y = rng.random((9, 6)), rng.integers(0, 3, 9)

    def fun(theta):
        p, start = {}, 0
        for k in KEYS:
            p[k] = theta[start : start + params[k].size].reshape(params[k].shape)
            start += params[k].size
        loss, grads = mlp_loss(p, X, y, weight_decay=0.05)
        return loss, _flat(grads)

    assert check_gradient(fun, _flat(params)).passed(1e-8)


def test_mlp_loss_is_cross_entropy_of_the_forward_pass():
    rng = np.random.default_rng(2)
    params = mlp_init(4, 3, 5, rng)
    X, y = rng.random((7, 4)), rng.integers(0, 5, 7)
    logits = mlp_head(params, mlp_hidden(params, X))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean([np.log(p[i, y[i]]) for i in range(7)])
    assert mlp_loss(params, X, y)[0] == pytest.approx(expected)
    assert cross_entropy(logits, y) == pytest.approx(expected)


def test_mlp_train_learns_a_separable_problem():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] > 0).astype(int)
    params = mlp_train(X, y, n_hidden=8, n_epochs=30, batch_size=32)
    logits = mlp_head(params, mlp_hidden(params, X))
    assert evaluate_logits(logits, y)["accuracy"] > 0.95


def test_mlp_refuses_bad_input():
    params = mlp_init(4, 3, 2, 0)
    with pytest.raises(ValueError, match=r"X must have 4 columns"):
        mlp_hidden(params, np.ones((2, 5)))
    with pytest.raises(TypeError, match="labels must hold integer"):
        mlp_loss(params, np.ones((2, 4)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        mlp_loss(params, np.ones((2, 4)), np.array([0, 2]))
    with pytest.raises(ValueError, match="weight_decay"):
        mlp_loss(params, np.ones((2, 4)), np.array([0, 1]), weight_decay=-1.0)
    with pytest.raises(TypeError, match="params must be a dict"):
        mlp_hidden({"W1": params["W1"]}, np.ones((2, 4)))


# --- splicing, KL, effects, steering -------------------------------------------


def test_splice_against_a_loop():
    rng = np.random.default_rng(4)
    params = mlp_init(6, 8, 3, rng)
    H = mlp_hidden(params, rng.random((10, 6)))
    M = rng.normal(size=(8, 8))

    def replace(A):
        return A @ M

    def head(A):
        return mlp_head(params, A)

    looped = np.array([params["W2"].T @ (M.T @ H[i]) + params["b2"] for i in range(10)])
    np.testing.assert_allclose(splice(head, H, replace), looped, atol=1e-12)


def test_splice_refuses_bad_input():
    def head(A):
        return A

    with pytest.raises(ValueError, match=r"replace\(H\) has shape"):
        splice(head, np.ones((3, 4)), lambda A: A[:, :2])
    with pytest.raises(TypeError, match="callables"):
        splice(head, np.ones((3, 4)), None)
    with pytest.raises(ValueError, match="H must be 2-D"):
        splice(head, np.ones(4), lambda A: A)


def test_output_kl_closed_forms_and_loop():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    assert output_kl(a, a) == 0.0
    assert output_kl(a, a + 3.0) == pytest.approx(0.0, abs=1e-12)  # shift-invariant
    one_hot_like = np.where(np.eye(10, dtype=bool), 60.0, 0.0)
    assert output_kl(one_hot_like, np.zeros((10, 10))) == pytest.approx(np.log(10))
    p = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    q = np.exp(b) / np.exp(b).sum(axis=1, keepdims=True)
    looped = np.mean(
        [sum(p[i, c] * np.log(p[i, c] / q[i, c]) for c in range(4)) for i in range(6)]
    )
    assert output_kl(a, b) == pytest.approx(looped)
    with pytest.raises(ValueError, match="clean_logits"):
        output_kl(a, b[:3])


def test_logit_effects_match_running_the_head():
    rng = np.random.default_rng(6)
    params = mlp_init(5, 7, 4, rng)
    W_dec = rng.normal(size=(7, 3))
    effects = logit_effects(W_dec, params["W2"])
    H = rng.random((5, 7))
    for j in range(3):
        changed = mlp_head(params, H + 2.5 * W_dec[:, j]) - mlp_head(params, H)
        np.testing.assert_allclose(
            changed, np.tile(2.5 * effects[j], (5, 1)), atol=1e-12
        )
    with pytest.raises(ValueError, match="n_hidden rows"):
        logit_effects(W_dec, params["W2"][:3])


def test_ablate_latents_and_steer():
    codes = np.arange(12.0).reshape(3, 4)
    out = ablate_latents(codes, [1, 3])
    assert np.all(out[:, [1, 3]] == 0) and np.all(out[:, [0, 2]] == codes[:, [0, 2]])
    assert codes[0, 1] == 1.0  # a copy
    np.testing.assert_array_equal(ablate_latents(codes, 0)[:, 0], 0)
    with pytest.raises(ValueError, match="latents must be < n_latents"):
        ablate_latents(codes, 4)
    H = np.zeros((2, 3))
    steered = steer(H, np.array([1.0, 0.0, -1.0]), [0.0, 2.0])
    assert steered.shape == (2, 2, 3)
    np.testing.assert_array_equal(steered[1, 0], [2.0, 0.0, -2.0])
    with pytest.raises(ValueError, match=r"direction must have shape \(3,\)"):
        steer(H, np.ones(2), [1.0])


def test_top_activating():
    codes = np.array([[0.0, 1.0], [3.0, 1.0], [2.0, 0.0], [3.0, 5.0]])
    np.testing.assert_array_equal(top_activating(codes, 0, 3), [1, 3, 2])
    np.testing.assert_array_equal(top_activating(codes, 1, 2), [3, 0])
    with pytest.raises(ValueError, match="latent must be < n_latents"):
        top_activating(codes, 2)
    with pytest.raises(ValueError, match="n must be <= n_samples"):
        top_activating(codes, 0, 5)


def test_feature_dashboard_makes_a_figure():
    rng = np.random.default_rng(7)
    codes = np.maximum(rng.normal(size=(30, 5)) - 1.0, 0)
    images = rng.random((30, 16))
    fig = feature_dashboard(2, codes, images, rng.normal(size=(5, 3)), n_top=4)
    assert len(fig.axes) == 6
    plt.close(fig)
    with pytest.raises(ValueError, match="disagree"):
        feature_dashboard(0, codes, images[:3], np.ones((5, 3)))


def test_best_units_finds_a_planted_unit_and_its_sign():
    rng = np.random.default_rng(0)
    flags = rng.random(400) < 0.3
    acts = rng.normal(size=(400, 6))
    acts[:, 4] = -1.0 * flags + 0.1 * rng.normal(size=400)  # silent on the concept
    acts[:, 2] = flags + 0.8 * rng.normal(size=400)  # weaker, positive
    best, signs = best_units(acts, flags, 2)
    assert list(best) == [4, 2] and list(signs) == [-1, 1]


def test_probe_scores_agree_with_scikit_learn_on_held_out_data():
    rng = np.random.default_rng(1)
    flags = rng.random(600) < 0.4
    acts = rng.normal(size=(600, 5)) + np.outer(flags, [0, 1.5, 0, 0.5, 0])
    scores = probe_scores(acts[:400], acts[400:], flags[:400], flags[400:], ks=(1, 2))
    assert scores["unit"] == pytest.approx(roc_auc_score(flags[400:], acts[400:, 1]))
    assert scores[2] >= scores["unit"] - 0.02  # the second unit adds information
    assert 0.8 < scores[1] <= 1.0
