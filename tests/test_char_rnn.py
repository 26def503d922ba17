"""Tests of saelib.char_rnn (chapter 21): the GRU, its gradient, training, baselines."""

import numpy as np
import pytest

from saelib.char_rnn import (
    GRU_PARAM_KEYS,
    LM_SETTINGS,
    bits_per_char,
    clip_by_global_norm,
    gru_backward_unchecked,
    gru_forward_unchecked,
    gru_init,
    gru_loss,
    gru_sample,
    hidden_states,
    ngram_bits_per_char,
    train_language_model,
)
from saelib.gradient_check import compute_numerical_gradient, relative_difference
from saelib.source_text import VOCAB_SIZE, encode_text


def loop_reference(params, inputs, targets, h0):
    """Mean cross-entropy and all states, one sequence and one step at a time."""
    H = params["U"].shape[0]
    total, states = 0.0, np.zeros(inputs.shape + (H,))
    for s in range(inputs.shape[0]):
        h = np.array(h0[s], dtype=np.float64)
        for t in range(inputs.shape[1]):
            x = params["E"][inputs[s, t]] @ params["W"] + params["b"]
            g = h @ params["U"]
            z = 1 / (1 + np.exp(-(x[:H] + g[:H])))
            r = 1 / (1 + np.exp(-(x[H : 2 * H] + g[H : 2 * H])))
            n = np.tanh(x[2 * H :] + r * g[2 * H :])
            h = (1 - z) * n + z * h
            states[s, t] = h
            o = h @ params["W_out"] + params["b_out"]
            total += np.log(np.sum(np.exp(o - o.max()))) + o.max() - o[targets[s, t]]
    return total / inputs.size, states


@pytest.fixture
def small():
    rng = np.random.default_rng(3)
    params = gru_init(9, 4, 6, rng=rng, dtype=np.float64)
    params = {k: v + rng.normal(0, 0.3, v.shape) for k, v in params.items()}
    inputs = rng.integers(0, 9, (3, 6))
    inputs[:, 2] = inputs[:, 0]  # repeated characters: the embedding sums them
    return params, inputs, rng.integers(0, 9, (3, 6)), rng.normal(0, 0.5, (3, 6))


def flatten(params):
    return np.concatenate([params[k].ravel() for k in GRU_PARAM_KEYS])


def unflatten(theta, like):
    parts = np.split(theta, np.cumsum([like[k].size for k in GRU_PARAM_KEYS])[:-1])
    return {
        k: p.reshape(like[k].shape) for k, p in zip(GRU_PARAM_KEYS, parts, strict=True)
    }


def test_forward_matches_a_loop_over_time(small):
    params, inputs, targets, h0 = small
    loss, _, h_last = gru_loss(params, inputs, targets, h0)
    loss_ref, states = loop_reference(params, inputs, targets, h0)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    assert np.allclose(h_last, states[:, -1], rtol=1e-12, atol=1e-14)


def test_gradient_matches_central_differences(small):
    params, inputs, targets, h0 = small
    _, grads, _ = gru_loss(params, inputs, targets, h0)

    def J(theta):
        return loop_reference(unflatten(theta, params), inputs, targets, h0)[0]

    numerical = compute_numerical_gradient(J, flatten(params))
    assert relative_difference(numerical, flatten(grads)) < 1e-8


def test_gradient_with_respect_to_the_starting_state(small):
    params, inputs, targets, h0 = small
    logits, cache = gru_forward_unchecked(params, inputs, h0)
    *_, dh0 = gru_backward_unchecked(params, inputs, targets, logits, cache)
    numerical = compute_numerical_gradient(
        lambda h: loop_reference(params, inputs, targets, h)[0], h0
    )
    assert relative_difference(numerical, dh0) < 1e-8


def test_float32_stays_float32(small):
    params, inputs, targets, h0 = small
    params32 = {k: v.astype(np.float32) for k, v in params.items()}
    loss, grads, h_last = gru_loss(params32, inputs, targets, h0)
    assert h_last.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    assert loss == pytest.approx(gru_loss(params, inputs, targets, h0)[0], rel=1e-5)


def test_carried_state_continues_the_sequence(small):
    params, inputs, targets, _ = small
    _, _, h_mid = gru_loss(params, inputs[:, :3], targets[:, :3])
    _, _, h_end = gru_loss(params, inputs[:, 3:], targets[:, 3:], h_mid)
    _, _, h_all = gru_loss(params, inputs, targets)
    assert np.allclose(h_end, h_all, rtol=1e-12)


def test_hidden_states_and_bits_per_char(small):
    params, inputs, _, _ = small
    codes = inputs[0]
    states = hidden_states(params, codes)
    assert states.shape == (len(codes), 6)
    _, reference = loop_reference(
        params, codes[None, :], np.zeros((1, len(codes)), int), np.zeros((1, 6))
    )
    assert np.allclose(states, reference[0], rtol=1e-12, atol=1e-14)
    loss, _, _ = gru_loss(params, codes[None, :-1], codes[None, 1:])
    assert bits_per_char(params, codes, n_streams=1) == pytest.approx(loss / np.log(2))
    lm = gru_init(VOCAB_SIZE, 3, 4, rng=0)
    assert np.array_equal(
        hidden_states(lm, "x = 1\n"), hidden_states(lm, encode_text("x = 1\n"))
    )


def test_ngram_baselines_against_counting_by_hand():
    rng = np.random.default_rng(0)
    train, test, V = rng.integers(0, 5, 300), rng.integers(0, 5, 50), 7
    counts = np.bincount(train, minlength=V)
    unigram = -np.mean(np.log2((counts[test] + 1) / (len(train) + V)))
    assert ngram_bits_per_char(train, test, 1, V) == pytest.approx(unigram)
    pairs, firsts = {}, {}
    for a, b in zip(train[:-1], train[1:], strict=True):
        pairs[a, b] = pairs.get((a, b), 0) + 1
        firsts[a] = firsts.get(a, 0) + 1
    bigram = -np.mean(
        [
            np.log2((pairs.get((a, b), 0) + 1) / (firsts.get(a, 0) + V))
            for a, b in zip(test[:-1], test[1:], strict=True)
        ]
    )
    assert ngram_bits_per_char(train, test, 2, V) == pytest.approx(bigram)
    with pytest.raises(ValueError, match="order"):
        ngram_bits_per_char(train, test[:2], 3, V)


def test_clip_by_global_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_by_global_norm(grads, 10.0) == 5.0
    assert grads["a"].tolist() == [3.0, 0.0]  # below the threshold: unchanged
    assert clip_by_global_norm(grads, 1.0) == 5.0
    assert np.allclose(grads["a"], [0.6, 0.0]) and np.allclose(grads["b"], [[0.8]])
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(grads, 0.0)


def test_training_lowers_the_loss_and_is_seeded():
    text = encode_text("def f(x):\n    return x + 1\n" * 40)
    settings = dict(LM_SETTINGS, hidden_size=16, batch_size=4, chunk_length=16)
    settings["n_steps"] = 60
    params, history = train_language_model(text, settings, text, eval_every=30)
    assert history["bits"].shape == (60,) and history["eval_step"].tolist() == [30, 60]
    assert history["bits"][-10:].mean() < history["bits"][:10].mean() - 1
    again, _ = train_language_model(text, settings)
    assert all(np.array_equal(params[k], again[k]) for k in GRU_PARAM_KEYS)
    assert params["U"].dtype == np.float32
    sample = gru_sample(params, "def ", 30, rng=1)
    assert sample.startswith("def ") and len(sample) == 34
    assert sample == gru_sample(params, "def ", 30, rng=1)
    with pytest.raises(ValueError, match="settings"):
        train_language_model(text, {"seed": 0})


def test_settings_are_plain_python():
    assert set(LM_SETTINGS) >= {"seed", "hidden_size", "chunk_length", "n_steps"}
    assert all(type(v) in (int, float) for v in LM_SETTINGS.values())


def test_bad_input(small):
    params, inputs, targets, h0 = small
    with pytest.raises(ValueError, match="vocabulary"):
        gru_loss(params, inputs + 9, targets)
    with pytest.raises(TypeError, match="int"):
        gru_loss(params, inputs.astype(float), targets)
    with pytest.raises(ValueError, match="differ"):
        gru_loss(params, inputs, targets[:, :-1])
    with pytest.raises(ValueError, match="h0"):
        gru_loss(params, inputs, targets, h0[:, :-1])
    with pytest.raises(ValueError, match="keys"):
        gru_loss({k: v for k, v in params.items() if k != "U"}, inputs, targets)
    with pytest.raises(ValueError, match="shape"):
        gru_loss(dict(params, b=params["b"][:-1]), inputs, targets)
    with pytest.raises(ValueError, match="NaN"):
        gru_loss(dict(params, U=params["U"] * np.nan), inputs, targets)
    with pytest.raises(ValueError, match="stream"):
        bits_per_char(params, inputs[0, :3], n_streams=2)
    with pytest.raises(ValueError, match="temperature"):
        gru_sample(gru_init(VOCAB_SIZE, 2, 3, rng=0), "x", 3, temperature=0)
    with pytest.raises(TypeError, match="dtype"):
        gru_init(5, 2, 3, dtype=np.int32)
