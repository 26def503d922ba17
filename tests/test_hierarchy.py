"""Tests of saelib.hierarchy (chapter 20): hierarchical data and feature absorption.

References: the generator's rules checked example by example; the absorption rate
against a loop over examples and against dictionaries whose answer is known.
"""

import numpy as np
import pytest

from saelib.hierarchy import (
    absorption_rate,
    make_correlated_pairs,
    make_hierarchical_data,
    merged_fraction,
)

X, F, C, PARENT_OF = make_hierarchical_data(5, 3, 12, 4000, 0.3, rng=0)


def test_children_are_exclusive_and_come_with_their_parent():
    assert X.shape == (4000, 12) and F.shape == (12, 20) and C.shape == (4000, 20)
    assert np.allclose(np.linalg.norm(F, axis=0), 1)
    assert np.allclose(X, C @ F.T)
    assert list(PARENT_OF) == [-1] * 5 + [p for p in range(5) for _ in range(3)]
    for parent in range(5):
        children = np.flatnonzero(PARENT_OF == parent)
        n_active_children = np.count_nonzero(C[:, children], axis=1)
        assert np.array_equal(n_active_children, (C[:, parent] > 0).astype(int))
    active = C[C > 0]
    assert active.min() > 0 and active.max() <= 1
    rate = np.mean(C[:, :5] > 0)
    assert abs(rate - 0.3) < 4 * np.sqrt(0.3 * 0.7 / C[:, :5].size)


def test_the_true_dictionary_absorbs_nothing():
    result = absorption_rate(C, F, F, C, PARENT_OF)
    assert result["absorption"] == 0 and result["recall"] == 1
    cos = [F[:, c] @ F[:, PARENT_OF[c]] for c in range(5, 20)]
    assert result["absorbed_direction"] == pytest.approx(np.mean(cos))


def test_a_dictionary_whose_children_carry_their_parents_absorbs_everything():
    codes = C.copy()
    codes[:, :5] = 0  # the parents' latents never fire
    result = absorption_rate(codes, F, F, C, PARENT_OF)
    assert result["absorption"] == 1 and result["recall"] == 0


def test_absorption_matches_a_loop_over_examples():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(12, 30))
    W /= np.linalg.norm(W, axis=0)
    codes = np.maximum(X @ W + rng.normal(scale=0.3, size=(4000, 30)) - 0.3, 0)
    match = [int(np.argmax(F[:, i] @ W)) for i in range(20)]
    absorbed = active = 0
    for x in range(4000):
        for c in range(5, 20):
            if C[x, c] > 0:
                active += 1
                p = PARENT_OF[c]
                absorbed += codes[x, match[c]] > 0 and codes[x, match[p]] == 0
    result = absorption_rate(codes, W, F, C, PARENT_OF)
    assert result["absorption"] == pytest.approx(absorbed / active)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_children": 1},
        {"parent_probability": 1.5},
        {"n_parents": 0},
    ],
)
def test_bad_generator_input_is_refused(kwargs):
    args = dict(
        n_parents=2, n_children=2, n_dims=4, n_samples=10, parent_probability=0.5
    )
    with pytest.raises(ValueError):
        make_hierarchical_data(**(args | kwargs))


def test_bad_absorption_input_is_refused():
    with pytest.raises(ValueError, match="W_dec"):
        absorption_rate(C, F[:, :3], F, C, PARENT_OF)
    with pytest.raises(ValueError, match="parent_of"):
        absorption_rate(C, F, F, C, PARENT_OF[:4])
    with pytest.raises(ValueError, match="no child"):
        absorption_rate(C[:0], F, F, C[:0], PARENT_OF)


def test_correlated_pairs_fire_together_as_asked():
    X2, F2, C2 = make_correlated_pairs(6, 10, 20_000, 0.5, 0.7, rng=3)
    assert X2.shape == (20_000, 10) and F2.shape == (10, 12)
    assert np.allclose(X2, C2 @ F2.T)
    a, b = C2[:, 0::2] > 0, C2[:, 1::2] > 0
    on = a | b
    assert abs(on.mean() - 0.5) < 0.01  # a pair is on with probability p
    assert abs((a & b).sum() / on.sum() - 0.7) < 0.01  # both, given on
    assert abs((a & ~b).sum() - (b & ~a).sum()) < 0.05 * on.sum()  # one of two
    exclusive = make_correlated_pairs(6, 10, 2000, 0.5, 0.0, rng=3)[2]
    assert not np.any((exclusive[:, 0::2] > 0) & (exclusive[:, 1::2] > 0))


def test_merged_fraction_sees_atoms_along_the_sum_of_a_pair():
    _, F2, _ = make_correlated_pairs(4, 16, 10, 0.5, 0.5, rng=0)
    assert merged_fraction(F2, F2) == 0  # one atom per feature: nothing merged
    sums = F2[:, 0::2] + F2[:, 1::2]
    atoms = np.column_stack([F2, sums[:, :3] / np.linalg.norm(sums[:, :3], axis=0)])
    assert merged_fraction(atoms, F2) == 0.75
    with pytest.raises(ValueError, match="2 \\* n_pairs"):
        merged_fraction(F2, F2[:, :3])
