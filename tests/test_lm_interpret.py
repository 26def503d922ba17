"""Tests of saelib.lm_interpret (chapter 22): splicing into a GRU, concepts, labels,
dashboards and steering.

References: a loop over streams and steps with the GRU's equations written out
(``loop_bits`` below), chapter 21's ``bits_per_char`` and ``gru_sample``, and loops
over latents for the precision.
"""

import numpy as np
import pytest

from saelib.char_rnn import bits_per_char, gru_init, gru_sample
from saelib.lm_interpret import (
    CONCEPT_NAMES,
    TextDashboard,
    concept_flags,
    label_latents,
    spliced_bits_per_char,
    steered_sample,
    strong_firings,
    text_dashboard,
)
from saelib.source_text import VOCAB_SIZE, decode_text, encode_text, source_labels

RNG = np.random.default_rng(0)
PARAMS = gru_init(VOCAB_SIZE, 4, 8, rng=0, dtype=np.float64)
CODES = RNG.integers(0, VOCAB_SIZE, 300)


def loop_bits(params, codes, replace, n_streams, feed_back):
    """Bits per character with replaced states, one stream and one step at a time."""
    H = params["U"].shape[0]
    length = len(codes) // n_streams
    total = 0.0
    for s in range(n_streams):
        stream = codes[s * length : (s + 1) * length]
        h = np.zeros(H)
        for t in range(length - 1):
            x = params["E"][stream[t]] @ params["W"] + params["b"]
            g = h @ params["U"]
            z = 1 / (1 + np.exp(-(x[:H] + g[:H])))
            r = 1 / (1 + np.exp(-(x[H : 2 * H] + g[H : 2 * H])))
            n = np.tanh(x[2 * H :] + r * g[2 * H :])
            clean = (1 - z) * n + z * h
            new = replace(clean[None, :])[0]
            h = new if feed_back else clean
            o = new @ params["W_out"] + params["b_out"]
            total += np.log(np.sum(np.exp(o - o.max()))) + o.max() - o[stream[t + 1]]
    return total / (n_streams * (length - 1)) / np.log(2)


def shrink(H):
    return 0.5 * H + 0.1


@pytest.mark.parametrize("feed_back", [True, False])
def test_identity_replacement_gives_bits_per_char(feed_back):
    spliced = spliced_bits_per_char(PARAMS, CODES, lambda H: H, 4, feed_back)
    assert spliced == pytest.approx(bits_per_char(PARAMS, CODES, 4), rel=1e-12)


@pytest.mark.parametrize("feed_back", [True, False])
def test_splicing_matches_a_loop_over_streams_and_steps(feed_back):
    spliced = spliced_bits_per_char(PARAMS, CODES, shrink, 3, feed_back)
    assert spliced == pytest.approx(loop_bits(PARAMS, CODES, shrink, 3, feed_back))


def test_feeding_back_matters_and_a_constant_state_does_not_care():
    fed = spliced_bits_per_char(PARAMS, CODES, shrink, 3, True)
    assert fed != pytest.approx(spliced_bits_per_char(PARAMS, CODES, shrink, 3, False))
    const = np.full(8, 0.3)
    rows = lambda H: np.broadcast_to(const, H.shape)  # noqa: E731
    assert spliced_bits_per_char(PARAMS, CODES, rows, 3, True) == pytest.approx(
        spliced_bits_per_char(PARAMS, CODES, rows, 3, False), rel=1e-12
    )


def test_a_non_finite_replacement_is_an_error_naming_the_step():
    def bad(H, calls=[]):  # noqa: B006 - counts the calls
        calls.append(1)
        return H * np.inf if len(calls) > 5 else H

    with pytest.raises(FloatingPointError, match="step 5"):
        spliced_bits_per_char(PARAMS, CODES, bad, 4, True)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"replace": 3}, TypeError),
        ({"replace": lambda H: H[:, :3]}, ValueError),
        ({"feed_back": "yes"}, TypeError),
        ({"n_streams": 200}, ValueError),
        ({"codes": np.array([0, VOCAB_SIZE])}, ValueError),
    ],
)
def test_bad_input_is_refused(kwargs, error):
    args = {"params": PARAMS, "codes": CODES, "replace": lambda H: H} | kwargs
    with pytest.raises(error):
        spliced_bits_per_char(**args)


def test_concept_flags_derive_from_the_labels():
    text = "x = (1, [2])\nif x:\n    y = 'a'  # c\n"
    labels = source_labels(text)
    flags = concept_flags(labels)
    assert list(flags) == list(CONCEPT_NAMES)
    assert np.array_equal(flags["top_level"], labels["indent"] == 0)
    assert np.array_equal(flags["in_brackets"], labels["bracket"] >= 1)
    assert text[np.flatnonzero(flags["nested"])[0]] == "["
    assert "".join(text[i] for i in np.flatnonzero(flags["string"])) == "'a'"
    with pytest.raises(ValueError, match="bracket"):
        concept_flags({k: v for k, v in labels.items() if k != "bracket"})


def test_label_latents_names_precise_latents_only():
    n = 1000
    flags = {"a": np.arange(n) % 10 == 0, "b": np.arange(n) % 4 == 1}
    codes = np.zeros((n, 4))
    codes[flags["a"], 0] = 1.0  # fires on a only
    codes[flags["b"] | (np.arange(n) % 4 == 2), 1] = 2.0  # half on b
    codes[:5, 2] = 1.0  # too rare to name
    names, precision = label_latents(codes, flags, min_precision=0.9, min_count=20)
    assert list(names) == ["a", "", "", ""]
    loop = [max(flags[c][codes[:, j] > 0].mean() for c in flags) for j in range(3)]
    assert np.allclose(precision[:3], loop) and precision[3] == 0


def test_label_latents_refuses_a_concept_that_is_the_majority():
    flags = {"common": np.arange(100) % 4 != 0}
    with pytest.raises(ValueError, match="half"):
        label_latents(np.ones((100, 2)), flags)


def test_text_dashboard_shows_top_contexts_and_promoted_characters():
    text = "ab<cd\nab<cd\nxyz\n"
    codes_text = encode_text(text)
    acts = np.zeros((len(text), 2))
    acts[[2, 8], 0] = [2.0, 1.0]  # fires after each "<"
    effects = np.zeros((2, VOCAB_SIZE))
    effects[0, encode_text("c")[0]] = 3.0
    board = text_dashboard(0, acts, codes_text, effects, n_top=5, before=2, after=1)
    assert isinstance(board, TextDashboard)
    plain = str(board)
    assert "ab[<]c" in plain and "fires on 12.50% of characters" in plain
    assert plain.index("2.00") < plain.index("1.00")  # largest first, and only two
    assert plain.count("[<]") == 2
    assert "promotes next: 'c'" in plain
    page = board._repr_html_()
    assert "&lt;" in page and "<cd" not in page  # escaped


def test_steered_sample_with_no_offset_is_chapter_21s_sampler():
    params = gru_init(VOCAB_SIZE, 4, 8, rng=1)
    plain = gru_sample(params, "def ", 60, rng=3, temperature=0.8)
    steered = steered_sample(params, "def ", 60, np.zeros(8), rng=3, temperature=0.8)
    assert steered == plain


def test_steered_sample_clips_a_large_offset_to_the_cube():
    params = gru_init(VOCAB_SIZE, 4, 8, rng=1, dtype=np.float64)
    direction = np.sign(np.random.default_rng(2).normal(size=8))
    # Every state becomes the corner `direction` of the cube, whose prediction is
    # fixed; at a low temperature the sampler writes its most likely character.
    corner = direction @ params["W_out"] + params["b_out"]
    expected = "x" + decode_text(np.array([np.argmax(corner)])) * 20
    text = steered_sample(params, "x", 20, 50 * direction, rng=0, temperature=1e-3)
    assert text == expected
    with pytest.raises(ValueError, match="offset"):
        steered_sample(params, "x", 5, np.zeros(3))


def test_label_latents_judges_a_latent_by_its_strong_firings():
    n = 1000
    flags = {"a": np.arange(n) % 10 == 0}
    codes = np.zeros((n, 1))
    codes[flags["a"], 0] = 4.0  # strong on a
    codes[np.arange(n) % 10 == 5, 0] = 1.0  # weak elsewhere, as often
    assert label_latents(codes, flags)[0][0] == "a"
    names, precision = label_latents(codes, flags, strong=0.0)  # every firing
    assert names[0] == "" and precision[0] == pytest.approx(0.5)


def test_strong_firings_reach_a_share_of_each_latents_largest_activation():
    codes = np.array([[0.0, 2.0], [1.0, 0.9], [0.4, 1.0], [0.6, 0.0]])
    expected = [[False, True], [True, False], [False, True], [True, False]]
    assert strong_firings(codes, 0.5).tolist() == expected
    assert strong_firings(codes, 0.0).tolist() == (codes > 0).tolist()
    assert not strong_firings(np.zeros((3, 2))).any()  # a dead latent never fires


def test_text_dashboard_refuses_effects_that_are_not_a_matrix():
    codes_text = encode_text("ab\n")
    with pytest.raises(ValueError, match="effects"):
        text_dashboard(0, np.ones((3, 1)), codes_text, np.zeros(VOCAB_SIZE))
