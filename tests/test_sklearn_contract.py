"""The estimators against scikit-learn's own estimator checks (issue 12).

``parametrize_with_checks`` runs every check scikit-learn applies to its own
transformers: cloning, get/set_params, n_features_in_, fit idempotence, pickling,
dtype preservation, clear errors for sparse, complex, object, empty, 1-D and NaN
input, NotFittedError before fit, and more. The instances are small (few units,
few iterations) so that the ~47 checks per estimator take seconds; the contract does
not depend on the size.
"""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from saelib import (
    BatchTopKSparseAutoencoder,
    GatedSparseAutoencoder,
    JumpReLUSparseAutoencoder,
    MatryoshkaSparseAutoencoder,
    ReLUSparseAutoencoder,
    SparseAutoencoder,
    TopKSparseAutoencoder,
)

# The checks draw their data from normal and uniform distributions, with values
# outside [0, 1]. The sigmoid decoder of the notes cannot reconstruct such values,
# so SparseAutoencoder refuses them with a ValueError: a property of the model.
# Every check that fits on such data fails for that reason alone; the squashed
# double below runs the same checks on data mapped into (0, 1).
OUTSIDE_UNIT_INTERVAL = (
    "the sigmoid decoder reconstructs values in [0, 1] only; the check fits on "
    "data outside [0, 1], which fit refuses with a ValueError"
)
SIGMOID_DOMAIN_CHECKS = [
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit",
    "check_estimators_dtypes",
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_transformer_n_iter",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_fit2d_predict1d",
]


class SquashedSparseAutoencoder(SparseAutoencoder):
    """Test double: maps validated X into (0, 1) with the logistic function.

    Everything else (validation, fitting, dtypes, fitted state) is
    SparseAutoencoder's own, so the checks that the sigmoid's domain blocks above
    run here on data the model accepts.
    """

    def _validate_X(self, X, reset):
        X = super()._validate_X(X, reset)
        return expit(X).astype(X.dtype, copy=False)


def expected_failed_checks(estimator):
    if type(estimator) is SparseAutoencoder:
        return dict.fromkeys(SIGMOID_DOMAIN_CHECKS, OUTSIDE_UNIT_INTERVAL)
    return {}


@parametrize_with_checks(
    [
        SparseAutoencoder(hidden_size=3, max_iter=20),
        SquashedSparseAutoencoder(hidden_size=3, max_iter=20),
        ReLUSparseAutoencoder(n_latents=8, n_epochs=2, batch_size=16),
        TopKSparseAutoencoder(n_latents=8, k=2, n_epochs=2, batch_size=16),
        # chapter 20
        GatedSparseAutoencoder(n_latents=8, n_epochs=2, batch_size=16),
        JumpReLUSparseAutoencoder(n_latents=8, n_epochs=2, batch_size=16),
        BatchTopKSparseAutoencoder(n_latents=8, k=2, n_epochs=2, batch_size=16),
        MatryoshkaSparseAutoencoder(n_latents=8, k=2, n_epochs=2, batch_size=16),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


ESTIMATORS = [
    SparseAutoencoder(hidden_size=3, max_iter=5),
    ReLUSparseAutoencoder(n_latents=6, n_epochs=1),
    TopKSparseAutoencoder(n_latents=6, k=2, n_epochs=1),
    GatedSparseAutoencoder(n_latents=6, n_epochs=1),
    JumpReLUSparseAutoencoder(n_latents=6, n_epochs=1),
    BatchTopKSparseAutoencoder(n_latents=6, k=2, n_epochs=1),
    MatryoshkaSparseAutoencoder(n_latents=6, k=2, n_epochs=1),
]
IDS = [type(e).__name__ for e in ESTIMATORS]


def unit_data(m=40, n=5, dtype=np.float64):
    return np.random.default_rng(0).uniform(0.05, 0.95, size=(m, n)).astype(dtype)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_unfitted_use_raises_not_fitted_error(estimator):
    with pytest.raises(NotFittedError):
        estimator.transform(unit_data())
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_and_inverse_transform_keep_the_input_dtype(estimator, dtype):
    model = estimator.fit(unit_data())
    codes = model.transform(unit_data(dtype=dtype))
    assert codes.dtype == dtype
    assert model.inverse_transform(codes).dtype == dtype
    assert model.reconstruct(unit_data(dtype=dtype)).shape == (40, 5)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_inverse_transform_is_the_decoder_of_reconstruct(estimator):
    model = estimator.fit(unit_data())
    X = unit_data()
    assert np.array_equal(
        model.reconstruct(X), model.inverse_transform(model.transform(X))
    )
    with pytest.raises(ValueError, match="codes must have shape"):
        model.inverse_transform(np.ones((2, 99)))


def test_lambda_is_a_hyperparameter_not_a_sign_of_fitting():
    """scikit-learn's default test takes any attribute ending in "_" as learned."""
    model = SparseAutoencoder(lambda_=1e-3)
    with pytest.raises(NotFittedError):
        check_is_fitted(model)


@pytest.mark.parametrize(
    "params, name, error",
    [
        (dict(lambda_="1e-4"), "lambda_", TypeError),
        (dict(beta=True), "beta", TypeError),
        (dict(random_state=-1), "random_state", ValueError),
        (dict(sparsity_param=1.0), "sparsity_param", ValueError),
        (dict(hidden_size=2.0), "hidden_size", TypeError),
        (dict(dtype=np.int32), "dtype", ValueError),
    ],
)
def test_sparse_autoencoder_names_a_bad_hyperparameter_in_fit_not_init(
    params, name, error
):
    model = SparseAutoencoder(**params)  # no error here: scikit-learn's rule
    with pytest.raises(error, match=name):
        model.fit(unit_data())


@pytest.mark.parametrize(
    "cls, params, name",
    [
        (ReLUSparseAutoencoder, dict(l1_coeff=-1.0), "l1_coeff"),
        (ReLUSparseAutoencoder, dict(learning_rate="0.1"), "learning_rate"),
        (TopKSparseAutoencoder, dict(n_latents=4, k=5), "k must be in"),
        (TopKSparseAutoencoder, dict(aux_k=0), "aux_k"),
        (TopKSparseAutoencoder, dict(random_state=-1), "random_state"),
    ],
)
def test_modern_estimators_name_a_bad_hyperparameter_in_fit(cls, params, name):
    model = cls(**params)
    with pytest.raises((TypeError, ValueError), match=name):
        model.fit(unit_data())


def test_minmax_scaled_data_a_rounding_error_above_one_is_accepted():
    """MinMaxScaler's output can reach 1.0000000000000002."""
    X = MinMaxScaler().fit_transform(np.random.default_rng(1).normal(size=(30, 4)))
    X[0, 0] = np.nextafter(1.0, 2.0)
    model = SparseAutoencoder(hidden_size=2, max_iter=3).fit(X)
    assert np.all(np.isfinite(model.W1_))


def test_data_above_one_by_more_than_rounding_is_refused_saying_by_how_much():
    X = unit_data()
    X[0, 0] = 1.25
    with pytest.raises(ValueError, match=r"0\.25 above 1"):
        SparseAutoencoder(hidden_size=2, max_iter=3).fit(X)


@pytest.mark.parametrize("scale", [1e20, 1e300])
@pytest.mark.parametrize(
    "model",
    [ReLUSparseAutoencoder(n_latents=6), TopKSparseAutoencoder(n_latents=6, k=2)],
    ids=["ReLU", "TopK"],
)
def test_huge_data_is_refused_before_training_instead_of_fitting_nan(model, scale):
    """The fuzz: fit(X * 1e20) "succeeded" with NaN weights and history [nan, nan]."""
    with pytest.raises(ValueError, match="too large to train"):
        model.fit(unit_data() * scale)


def test_a_loss_that_becomes_non_finite_stops_fit_naming_the_step():
    """A learning rate so large that the weights overflow float32."""
    X = unit_data(m=64) * 1e3
    model = ReLUSparseAutoencoder(
        n_latents=6, n_epochs=50, batch_size=8, learning_rate=1e30
    )
    with pytest.raises(FloatingPointError, match=r"at step \d+ \(epoch \d+\)"):
        model.fit(X)
